using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// find's <c>min</c> / <c>max</c> options: index bounds on the hinted index's key pattern, min inclusive, max exclusive,
/// compared in index order (BSON canonical order across types, unlike $gte/$lt which only match one type bracket).
/// MongoDB requires a hint with either, and bounds whose fields are the index's key fields in order.
/// </summary>
public sealed class IndexBounds
{
    private readonly List<(string Field, int Direction)> _key;
    private readonly BsonDocument? _min;
    private readonly BsonDocument? _max;

    private IndexBounds(List<(string, int)> key, BsonDocument? min, BsonDocument? max)
    {
        _key = key;
        _min = min;
        _max = max;
    }

    /// <summary>The bounds of a find command; null when it sets neither min nor max.</summary>
    public static IndexBounds? Parse(BsonDocument? min, BsonDocument? max, BsonValue? hint, Func<string, BsonDocument?> keyPatternOfIndexNamed)
    {
        if (min is null && max is null) return null;
        var pattern = hint switch
        {
            BsonDocument d when d.ElementCount > 0 => d,
            BsonString { Value: var name } => keyPatternOfIndexNamed(name) ?? throw MongoCommandException.BadValue($"hint provided does not correspond to an existing index"),
            _ => throw new MongoCommandException((MongoErrorCode)51173, "When using min()/max() a hint of which index to use must be provided"),
        };
        var key = pattern.Select(e => (e.Name, e.Value is BsonInt32 { Value: < 0 } or BsonInt64 { Value: < 0 } or BsonDouble { Value: < 0 } ? -1 : 1)).ToList();
        foreach (var bound in new[] { min, max })
        {
            if (bound is null) continue;
            if (bound.ElementCount != key.Count || bound.Select(e => e.Name).Where((n, i) => n != key[i].Item1).Any())
                throw new MongoCommandException((MongoErrorCode)51174, "The index chosen is not consistent with min/max");
        }
        return new IndexBounds(key, min, max);
    }

    public bool Contains(BsonDocument document)
    {
        if (_min is not null && Compare(document, _min) < 0) return false;
        if (_max is not null && Compare(document, _max) >= 0) return false;
        return true;
    }

    private int Compare(BsonDocument document, BsonDocument bound)
    {
        var i = 0;
        foreach (var element in bound)
        {
            var (field, direction) = _key[i++];
            var value = FieldPath.GetExact(document, field) ?? BsonNull.Value;
            var c = BsonValueComparer.Instance.Compare(value, element.Value) * direction;
            if (c != 0) return c;
        }
        return 0;
    }
}
