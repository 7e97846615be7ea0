using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>
/// An index as listIndexes reports it. Only unique indexes are materialised (to enforce uniqueness); queries scan,
/// which is all an in-memory test server needs.
/// </summary>
public sealed class IndexDefinition
{
    private static readonly HashSet<string> IgnoredForEquivalence = ["name", "v", "ns", "background"];

    public IndexDefinition(BsonDocument spec)
    {
        Spec = spec;
        Name = ((BsonString)spec.GetOrNull("name")!).Value;
        Key = (BsonDocument)spec.GetOrNull("key")!;
        Unique = spec.GetOrNull("unique") is { } u && FilterMatcher.IsTruthy(u);
        Sparse = spec.GetOrNull("sparse") is { } s && FilterMatcher.IsTruthy(s);
        Partial = spec.GetOrNull("partialFilterExpression") is BsonDocument pfe ? FilterMatcher.Compile(pfe) : null;
        Fields = Key.Names.ToArray();
    }

    public const string IdIndexName = "_id_";

    public BsonDocument Spec { get; }
    public string Name { get; }
    public BsonDocument Key { get; }
    public bool Unique { get; }
    public bool Sparse { get; }
    public FilterMatcher? Partial { get; }
    public IReadOnlyList<string> Fields { get; }
    public bool IsIdIndex => Name == IdIndexName;

    public static IndexDefinition IdIndex() =>
        new(new BsonDocument { { "v", 2 }, { "key", new BsonDocument { { "_id", 1 } } }, { "name", IdIndexName } });

    /// <summary>True if both specs would build the same index (key and options), whatever their names.</summary>
    public bool SameOptionsAs(IndexDefinition other)
    {
        var mine = Spec.Where(e => !IgnoredForEquivalence.Contains(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var theirs = other.Spec.Where(e => !IgnoredForEquivalence.Contains(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        return mine.Count == theirs.Count && mine.Zip(theirs).All(p => p.First.Name == p.Second.Name && SameOption(p.First.Name, p.First.Value, p.Second.Value));
    }

    private static bool SameOption(string name, BsonValue a, BsonValue b) =>
        name is "unique" or "sparse" ? FilterMatcher.IsTruthy(a) == FilterMatcher.IsTruthy(b) : BsonValueComparer.Instance.Equals(a, b);

    /// <summary>
    /// The index keys of a document: one per combination of array elements (multikey), missing fields as null.
    /// Empty when the document is excluded (sparse with all fields missing, or outside the partial filter).
    /// </summary>
    public List<(string Key, BsonDocument KeyValue)> KeysOf(BsonDocument document)
    {
        if (Partial is not null && !Partial.Matches(document)) return [];
        var perField = new List<List<BsonValue>>(Fields.Count);
        var anyPresent = false;
        foreach (var field in Fields)
        {
            var value = FieldPath.GetExact(document, field) ?? ResolveThroughArrays(document, field);
            if (value is not null) anyPresent = true;
            perField.Add(value switch
            {
                null => [BsonNull.Value],
                BsonArray { Count: 0 } => [BsonUndefined.Value],
                BsonArray a => a.Distinct(BsonValueComparer.Instance).ToList(),
                _ => [value],
            });
        }
        if (Sparse && !anyPresent) return [];
        var keys = new List<(string, BsonDocument)>();
        Expand(perField, 0, new BsonValue[Fields.Count], keys);
        return keys;
    }

    private static BsonValue? ResolveThroughArrays(BsonDocument document, string field)
    {
        var values = FieldPath.Resolve(document, field).Where(v => v is not null).Select(v => v!).ToList();
        return values.Count switch { 0 => null, 1 => values[0], _ => new BsonArray(values) };
    }

    private void Expand(List<List<BsonValue>> perField, int i, BsonValue[] current, List<(string, BsonDocument)> keys)
    {
        if (i == perField.Count)
        {
            var keyValue = new BsonDocument();
            for (var f = 0; f < Fields.Count; f++) keyValue.Add(Fields[f], current[f]);
            keys.Add((ValueKey.Of(current), keyValue));
            return;
        }
        foreach (var v in perField[i])
        {
            current[i] = v;
            Expand(perField, i + 1, current, keys);
        }
    }
}
