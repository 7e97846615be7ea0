using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>listIndexes: each index's specification (<c>v</c>, <c>key</c>, <c>name</c>, options).</summary>
    public Task<IReadOnlyList<BsonDocument>> ListIndexesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<BsonDocument>>(collection =>
        {
            using var cursor = new CursorHandle(LibMongoc.mongoc_collection_find_indexes_with_opts(collection.Pointer, IntPtr.Zero), collection);
            return CursorBatch.ReadAll(cursor, $"listIndexes on '{Namespace}'");
        }, cancellationToken);

    /// <summary>createIndexes; returns the indexes' names. Creating an identical existing index is not an error.</summary>
    public async Task<IReadOnlyList<string>> CreateIndexesAsync(IReadOnlyList<IndexModel> indexes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(indexes.Count);
        var specs = new BsonArray();
        foreach (var index in indexes)
        {
            var spec = new BsonDocument { { "key", index.Keys }, { "name", index.Name } };
            if (index.Options is { } options)
                foreach (var (name, value) in options)
                    if (name != "name") spec[name] = value;
            specs.Add(spec);
        }
        var command = new BsonDocument { { "createIndexes", Name }, { "indexes", specs } };
        await Database.RunCommandAsync(command, CommandKind.Write, cancellationToken).ConfigureAwait(false);
        return indexes.Select(i => i.Name).ToList();
    }

    public async Task<string> CreateIndexAsync(IndexModel index, CancellationToken cancellationToken = default) =>
        (await CreateIndexesAsync([index], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>dropIndexes by name; <c>"*"</c> drops all but <c>_id_</c>.</summary>
    public Task DropIndexAsync(string name, CancellationToken cancellationToken = default) =>
        Database.RunCommandAsync(new BsonDocument { { "dropIndexes", Name }, { "index", name } }, CommandKind.Write, cancellationToken);
}
