using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// A sort specification as a document comparer. As in MongoDB, an array field sorts by its smallest element when
/// ascending and its largest when descending, and a missing field sorts as null. The sort is stable.
/// </summary>
public sealed class SortSpec : IComparer<BsonDocument>
{
    private readonly List<(string Path, int Direction)> _keys = [];

    public SortSpec(BsonDocument spec)
    {
        foreach (var (path, value) in spec)
        {
            if (path == "$natural") continue;
            if (!Numbers.IsNumber(value) || Numbers.ToDouble(value) is not (1 or -1))
                throw MongoCommandException.BadValue($"$sort key ordering must be 1 (for ascending) or -1 (for descending)");
            _keys.Add((path, Numbers.ToDouble(value) > 0 ? 1 : -1));
        }
    }

    public bool IsEmpty => _keys.Count == 0;

    public List<BsonDocument> Sort(IEnumerable<BsonDocument> documents) => IsEmpty ? documents.ToList() : documents.OrderBy(d => d, this).ToList();

    public int Compare(BsonDocument? x, BsonDocument? y)
    {
        foreach (var (path, direction) in _keys)
        {
            var c = BsonValueComparer.Instance.Compare(SortKey(x!, path, direction), SortKey(y!, path, direction));
            if (c != 0) return c * direction;
        }
        return 0;
    }

    private static BsonValue SortKey(BsonDocument document, string path, int direction)
    {
        BsonValue? best = null;
        foreach (var v in FieldPath.Resolve(document, path))
        {
            IEnumerable<BsonValue> candidates = v switch
            {
                null => [BsonNull.Value],
                BsonArray { Count: 0 } => [BsonUndefined.Value],
                BsonArray a => a,
                _ => [v],
            };
            foreach (var c in candidates)
            {
                if (best is null) best = c;
                else
                {
                    var cmp = BsonValueComparer.Instance.Compare(c, best);
                    if (direction > 0 ? cmp < 0 : cmp > 0) best = c;
                }
            }
        }
        return best ?? BsonNull.Value;
    }
}
