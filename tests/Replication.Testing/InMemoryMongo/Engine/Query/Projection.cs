using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// A find projection: inclusion (<c>{a: 1, "b.c": 1}</c>) or exclusion (<c>{a: 0}</c>), with <c>_id</c> included
/// unless excluded. Mixing the two (other than for <c>_id</c>) is error 31254/31253, as in MongoDB.
/// </summary>
public sealed class Projection
{
    private sealed class Node
    {
        public Dictionary<string, Node?> Children { get; } = new(StringComparer.Ordinal); // null child = whole field
    }

    private readonly Node _root = new();
    private readonly bool _inclusion;
    private readonly bool _includeId = true;

    private Projection(BsonDocument spec)
    {
        bool? inclusion = null;
        foreach (var (path, value) in spec)
        {
            if (value is BsonDocument) throw MongoCommandException.BadValue($"projection operators are not supported by the in-memory server: {path}");
            var include = FilterMatcher.IsTruthy(value);
            if (path == "_id")
            {
                _includeId = include;
                continue;
            }
            if (inclusion is { } mode && mode != include)
                throw new MongoCommandException(include ? (MongoErrorCode)31253 : (MongoErrorCode)31254,
                    include ? $"Cannot do inclusion on field {path} in exclusion projection" : $"Cannot do exclusion on field {path} in inclusion projection");
            inclusion = include;
            Add(path);
        }
        // {_id: 1} alone includes only _id; {_id: 0} alone excludes only _id.
        _inclusion = inclusion ?? _includeId;
    }

    public static Projection? Parse(BsonDocument? spec) => spec is null || spec.ElementCount == 0 ? null : new Projection(spec);

    private void Add(string path)
    {
        var node = _root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i == parts.Length - 1)
            {
                node.Children[parts[i]] = null;
                return;
            }
            if (!node.Children.TryGetValue(parts[i], out var child) || child is null)
            {
                if (node.Children.ContainsKey(parts[i])) return; // a parent already covers the whole field
                child = new Node();
                node.Children[parts[i]] = child;
            }
            node = child;
        }
    }

    public BsonDocument Apply(BsonDocument document)
    {
        BsonDocument result;
        if (_inclusion)
        {
            result = new BsonDocument();
            foreach (var (name, value) in document)
            {
                if (name == "_id")
                {
                    if (_includeId) result.Add(name, value);
                    continue;
                }
                if (!_root.Children.TryGetValue(name, out var child)) continue;
                if (child is null) result.Add(name, value);
                else if (Include(value, child) is { } projected) result.Add(name, projected);
            }
        }
        else
        {
            result = Exclude(document, _root);
            if (!_includeId) result.Remove("_id");
        }
        return result;
    }

    private static BsonValue? Include(BsonValue value, Node node) => value switch
    {
        BsonDocument d => IncludeDocument(d, node),
        BsonArray a => new BsonArray(a.Where(e => e is BsonDocument or BsonArray).Select(e => Include(e, node)!)),
        _ => null,
    };

    private static BsonDocument IncludeDocument(BsonDocument d, Node node)
    {
        var result = new BsonDocument();
        foreach (var (name, value) in d)
        {
            if (!node.Children.TryGetValue(name, out var child)) continue;
            if (child is null) result.Add(name, value);
            else if (Include(value, child) is { } projected) result.Add(name, projected);
        }
        return result;
    }

    private static BsonDocument Exclude(BsonDocument d, Node node)
    {
        var result = new BsonDocument();
        foreach (var (name, value) in d)
        {
            if (!node.Children.TryGetValue(name, out var child)) result.Add(name, value);
            else if (child is not null) result.Add(name, ExcludeValue(value, child));
        }
        return result;
    }

    private static BsonValue ExcludeValue(BsonValue value, Node node) => value switch
    {
        BsonDocument d => Exclude(d, node),
        BsonArray a => new BsonArray(a.Select(e => ExcludeValue(e, node))),
        _ => value,
    };
}
