using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Replication.Coordinator.Verification;

/// <summary>
/// Compares a source document with the target's document of the same key. Equal bytes are equal; otherwise both are
/// read and compared field by field, with embedded documents' fields sorted by name first when field order carries no
/// meaning (DynamoDB maps are unordered, so a Scan and a stream image of one item may list them differently).
/// </summary>
internal static class DocumentComparison
{
    /// <summary>Null when the documents are equal; otherwise the top-level fields that differ (missing on one side, or another value), or
    /// <c>(field order)</c> when only the order differs.</summary>
    public static IReadOnlyList<string>? Differences(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool fieldOrderMatters, bool ignoreTargetId)
    {
        if (source.SequenceEqual(target)) return null;
        var s = BsonSerializer.Deserialize<BsonDocument>(source.ToArray());
        var t = BsonSerializer.Deserialize<BsonDocument>(target.ToArray());
        if (ignoreTargetId && !s.Contains("_id")) t.Remove("_id");
        if (!fieldOrderMatters)
        {
            s = Canonical(s);
            t = Canonical(t);
        }
        var fields = new List<string>();
        foreach (var element in s)
        {
            if (!t.TryGetValue(element.Name, out var other) || !element.Value.Equals(other)) fields.Add(element.Name);
        }
        fields.AddRange(t.Names.Where(n => !s.Contains(n)));
        if (fields.Count > 0) return fields;
        return s.Names.SequenceEqual(t.Names) ? null : ["(field order)"];
    }

    /// <summary>The document with the fields of it and of every embedded document sorted by name (ordinal); arrays keep their order.</summary>
    private static BsonDocument Canonical(BsonDocument document)
    {
        var sorted = new BsonDocument();
        foreach (var element in document.OrderBy(e => e.Name, StringComparer.Ordinal)) sorted.Add(element.Name, Canonical(element.Value));
        return sorted;
    }

    private static BsonValue Canonical(BsonValue value) => value switch
    {
        BsonDocument d => Canonical(d),
        BsonArray a => new BsonArray(a.Select(Canonical)),
        _ => value,
    };
}
