using MongoDB.Bson;

namespace Replication.Testing.Comparison;

/// <summary>
/// How a target collection differs from its source table: documents missing from the target, documents only in the
/// target, and documents present in both with different content. Ids are canonical Extended JSON of <c>{_id: …}</c>.
/// </summary>
public sealed record ReplicaDifference(
    int SourceCount,
    int TargetCount,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Extra,
    IReadOnlyList<string> Changed,
    string? ChangedExample)
{
    public bool IsMatch => Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0;

    public override string ToString()
    {
        if (IsMatch) return $"{SourceCount} source and {TargetCount} target documents match";
        var text = $"{SourceCount} source vs {TargetCount} target documents; missing {Missing.Count}{Examples(Missing)}, " +
                   $"extra {Extra.Count}{Examples(Extra)}, different {Changed.Count}{Examples(Changed)}";
        return ChangedExample is null ? text : $"{text}; {ChangedExample}";
    }

    private static string Examples(IReadOnlyList<string> ids) =>
        ids.Count == 0 ? "" : $" (e.g. {string.Join(", ", ids.Take(3))}{(ids.Count > 3 ? ", …" : "")})";

    /// <summary>Compares documents keyed by id; DynamoDB maps have no order, so documents are compared with sorted fields.</summary>
    public static ReplicaDifference Between(IReadOnlyDictionary<string, BsonDocument> source, IReadOnlyDictionary<string, BsonDocument> target)
    {
        var missing = source.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var extra = target.Keys.Where(k => !source.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var changed = source.Keys.Where(k => target.TryGetValue(k, out var t) && !SameContent(source[k], t))
                            .Order(StringComparer.Ordinal).ToList();
        var example = changed.Count == 0
            ? null
            : $"item {changed[0]}: {FirstDifference(source[changed[0]], target[changed[0]], "")}; " +
              $"source {BsonBytes.ToRelaxedJson(source[changed[0]])} vs target {BsonBytes.ToRelaxedJson(target[changed[0]])}";
        return new ReplicaDifference(source.Count, target.Count, missing, extra, changed, example);
    }

    /// <summary>Where two documents first differ, as a dotted path with both values ("absent" for a missing field).</summary>
    private static string FirstDifference(BsonValue source, BsonValue target, string path)
    {
        if (source is BsonDocument s && target is BsonDocument t)
        {
            foreach (var name in s.Names.Union(t.Names).Order(StringComparer.Ordinal))
            {
                var child = path.Length == 0 ? name : $"{path}.{name}";
                if (!s.TryGetValue(name, out var sv)) return $"field {child} absent in the source, {Text(t[name])} in the target";
                if (!t.TryGetValue(name, out var tv)) return $"field {child} {Text(sv)} in the source, absent in the target";
                if (!SameContent(sv, tv)) return FirstDifference(sv, tv, child);
            }
        }
        return $"field {(path.Length == 0 ? "(document)" : path)} {Text(source)} in the source, {Text(target)} in the target";
    }

    private static string Text(BsonValue value)
    {
        var json = BsonBytes.ToRelaxedJson(new BsonDocument("v", value));
        return $"{json[(json.IndexOf(':') + 1)..^1].Trim()} ({value.BsonType})";
    }

    /// <summary>Same BSON types and encoded values once maps are sorted (exact text, not MongoDB.Bson's looser Equals).</summary>
    private static bool SameContent(BsonValue source, BsonValue target) =>
        BsonBytes.ExactText(Canonical(source)) == BsonBytes.ExactText(Canonical(target));

    /// <summary>A Scan and a stream image may list a map's attributes in different orders: documents sorted by field name.</summary>
    public static BsonValue Canonical(BsonValue value) => value switch
    {
        BsonDocument d => new BsonDocument(d.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => new BsonElement(e.Name, Canonical(e.Value)))),
        BsonArray a => new BsonArray(a.Select(Canonical)),
        _ => value,
    };

    /// <summary>The text a document is keyed by when MongoDB chose its <c>_id</c>: canonical Extended JSON of its key fields.</summary>
    public static string KeyFieldsOf(BsonDocument document, IReadOnlyList<string> keyNames) =>
        BsonBytes.ToCanonicalJson(new BsonDocument(keyNames.Select(n => new BsonElement(n, document.TryGetValue(n, out var v) ? v : throw new ArgumentException($"the document has no key field {n}", nameof(document))))));

    /// <summary>The text a document is keyed by: canonical Extended JSON of its <c>_id</c>.</summary>
    public static string IdOf(BsonDocument document) =>
        BsonBytes.ToCanonicalJson(new BsonDocument("_id", document.TryGetValue("_id", out var id) ? id : throw new ArgumentException("the document has no _id", nameof(document))));
}
