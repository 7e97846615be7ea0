using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>
/// Documents in insertion (natural) order with an <c>_id</c> hash index and the unique secondary indexes.
/// Not synchronised itself: every call happens under its <see cref="Database.Gate"/>. Stored documents are never
/// mutated — updates swap in a new document — so snapshots handed to cursors stay valid. Every change is logged.
/// </summary>
public sealed class Collection
{
    private readonly LinkedList<BsonDocument> _documents = new();
    private readonly Dictionary<string, LinkedListNode<BsonDocument>> _byId = new(StringComparer.Ordinal);
    private readonly List<IndexDefinition> _indexes = [IndexDefinition.IdIndex()];
    private readonly Dictionary<IndexDefinition, Dictionary<string, string>> _uniqueKeys = new(ReferenceEqualityComparer.Instance);
    private readonly ChangeLog _log;

    public Collection(string database, string name, BsonDocument options, ChangeLog log)
    {
        DatabaseName = database;
        Name = name;
        Options = options;
        _log = log;
    }

    public string DatabaseName { get; private set; }
    public string Name { get; private set; }
    public string FullName => $"{DatabaseName}.{Name}";
    public Guid Uuid { get; } = Guid.NewGuid();
    public BsonDocument Options { get; }
    public int Count => _documents.Count;
    public IReadOnlyList<IndexDefinition> Indexes => _indexes;

    public List<BsonDocument> Snapshot() => [.. _documents];

    public BsonDocument? FindById(BsonValue id) => _byId.TryGetValue(ValueKey.Of(id), out var node) ? node.Value : null;

    /// <summary>Adds a document whose <c>_id</c> is already set; throws E11000 if any unique index rejects it.</summary>
    public void Insert(BsonDocument document)
    {
        var id = document.GetOrNull("_id") ?? throw new InvalidOperationException("documents are stored with an _id");
        var idKey = ValueKey.Of(id);
        if (_byId.ContainsKey(idKey))
            throw DuplicateKeyError.For(FullName, _indexes[0], new BsonDocument { { "_id", id } });
        var keys = CheckUnique(document, idKey);
        _byId[idKey] = _documents.AddLast(document);
        AddKeys(keys, idKey);
        _log.Append((position, time) => new ChangeEvent(position, time, WallTime(), "insert", DatabaseName, Name,
            DocumentId: id, FullDocument: document));
    }

    /// <summary>
    /// Swaps <paramref name="current"/> for <paramref name="updated"/> (same <c>_id</c>); logs an update event when an
    /// update description is given, a replace event otherwise.
    /// </summary>
    public void Update(BsonDocument current, BsonDocument updated, BsonDocument? updateDescription)
    {
        var id = current.GetOrNull("_id")!;
        var idKey = ValueKey.Of(id);
        var node = _byId[idKey];
        var newKeys = CheckUnique(updated, idKey);
        RemoveKeys(current, idKey);
        AddKeys(newKeys, idKey);
        node.Value = updated;
        _log.Append((position, time) => new ChangeEvent(position, time, WallTime(),
            updateDescription is null ? "replace" : "update", DatabaseName, Name,
            DocumentId: id, FullDocument: updated, FullDocumentBeforeChange: current, UpdateDescription: updateDescription));
    }

    public void Delete(BsonDocument document)
    {
        var id = document.GetOrNull("_id")!;
        var idKey = ValueKey.Of(id);
        if (!_byId.Remove(idKey, out var node)) return;
        _documents.Remove(node);
        RemoveKeys(document, idKey);
        _log.Append((position, time) => new ChangeEvent(position, time, WallTime(), "delete", DatabaseName, Name,
            DocumentId: id, FullDocumentBeforeChange: document));
    }

    /// <summary>Adds an index, building its unique keys over the existing documents (E11000 if they collide).</summary>
    public void AddIndex(IndexDefinition index)
    {
        if (index.Unique)
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var doc in _documents)
            {
                var idKey = ValueKey.Of(doc.GetOrNull("_id")!);
                foreach (var (key, keyValue) in index.KeysOf(doc))
                {
                    if (keys.TryGetValue(key, out var owner) && owner != idKey) throw DuplicateKeyError.For(FullName, index, keyValue);
                    keys[key] = idKey;
                }
            }
            _uniqueKeys[index] = keys;
        }
        _indexes.Add(index);
        if (!index.IsIdIndex) LogIndexEvent("createIndexes", index);
    }

    public bool RemoveIndex(string name)
    {
        var index = _indexes.Find(i => i.Name == name && !i.IsIdIndex);
        if (index is null) return false;
        _indexes.Remove(index);
        _uniqueKeys.Remove(index);
        LogIndexEvent("dropIndexes", index);
        return true;
    }

    private void LogIndexEvent(string operation, IndexDefinition index) =>
        _log.Append((position, time) => new ChangeEvent(position, time, WallTime(), operation, DatabaseName, Name,
            OperationDescription: new BsonDocument { { "indexes", new BsonArray { index.Spec } } }));

    /// <summary>Empties the collection without logging per-document deletes (drop does this, and logs the drop).</summary>
    public void Clear()
    {
        _documents.Clear();
        _byId.Clear();
        foreach (var keys in _uniqueKeys.Values) keys.Clear();
    }

    internal void MoveTo(string database, string name)
    {
        DatabaseName = database;
        Name = name;
    }

    private static readonly List<(IndexDefinition Index, string Key)> NoKeys = [];

    private List<(IndexDefinition Index, string Key)> CheckUnique(BsonDocument document, string idKey)
    {
        if (_uniqueKeys.Count == 0) return NoKeys;
        var result = new List<(IndexDefinition, string)>();
        foreach (var (index, keys) in _uniqueKeys)
        {
            foreach (var (key, keyValue) in index.KeysOf(document))
            {
                if (keys.TryGetValue(key, out var owner) && owner != idKey) throw DuplicateKeyError.For(FullName, index, keyValue);
                result.Add((index, key));
            }
        }
        return result;
    }

    private void AddKeys(List<(IndexDefinition Index, string Key)> keys, string idKey)
    {
        foreach (var (index, key) in keys) _uniqueKeys[index][key] = idKey;
    }

    private void RemoveKeys(BsonDocument document, string idKey)
    {
        foreach (var (index, keys) in _uniqueKeys)
            foreach (var (key, _) in index.KeysOf(document))
                if (keys.TryGetValue(key, out var owner) && owner == idKey) keys.Remove(key);
    }

    private static long WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
