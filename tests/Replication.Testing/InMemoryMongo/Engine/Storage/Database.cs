using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>
/// A database: its collections and the one lock (<see cref="Gate"/>) under which they are read and written.
/// A dropped database is emptied, not removed, so a command holding a reference never writes into a detached object.
/// </summary>
public sealed class Database(string name, ChangeLog log)
{
    private readonly Dictionary<string, Collection> _collections = new(StringComparer.Ordinal);

    public string Name { get; } = name;
    public Lock Gate { get; } = new();
    public ChangeLog Log => log;
    public IReadOnlyCollection<Collection> Collections => _collections.Values;
    public bool IsEmpty => _collections.Count == 0;

    public Collection? Find(string collection) => _collections.GetValueOrDefault(collection);

    /// <summary>Returns the collection, creating it implicitly (as a first insert or createIndexes does).</summary>
    public Collection GetOrCreate(string collection, out bool created)
    {
        created = false;
        if (_collections.TryGetValue(collection, out var existing)) return existing;
        created = true;
        return Create(collection, new BsonDocument());
    }

    public Collection Create(string collection, BsonDocument options)
    {
        CollectionName.Validate(Name, collection);
        if (_collections.ContainsKey(collection))
            throw new MongoCommandException(MongoErrorCode.NamespaceExists, $"Collection {Name}.{collection} already exists.");
        var c = new Collection(Name, collection, options, log);
        _collections.Add(collection, c);
        var description = new BsonDocument { { "idIndex", new BsonDocument { { "v", 2 }, { "key", new BsonDocument { { "_id", 1 } } }, { "name", "_id_" } } } };
        foreach (var (option, value) in options) description[option] = value;
        log.Append((position, time) => new ChangeEvent(position, time, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "create", Name, collection,
            OperationDescription: description));
        return c;
    }

    /// <summary>Drops a collection and logs the drop event.</summary>
    public bool Drop(string collection)
    {
        if (!_collections.Remove(collection, out var c)) return false;
        c.Clear();
        log.Append((position, time) => new ChangeEvent(position, time, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "drop", Name, collection));
        return true;
    }

    /// <summary>Drops every collection (a drop event each) and logs dropDatabase; returns whether anything existed.</summary>
    public bool DropAll()
    {
        var names = _collections.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in names) Drop(name);
        log.Append((position, time) => new ChangeEvent(position, time, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "dropDatabase", Name, null));
        return names.Count > 0;
    }

    internal Collection Detach(string collection)
    {
        _collections.Remove(collection, out var c);
        return c!;
    }

    internal void Attach(Collection collection) => _collections.Add(collection.Name, collection);
}
