using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>A database name bound to a client; cheap to create, holds no native resources.</summary>
public sealed class MongoDatabase
{
    internal MongoDatabase(MongoClient client, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Client = client;
        Name = name;
    }

    public MongoClient Client { get; }

    public string Name { get; }

    public MongoCollection GetCollection(string name) => new(this, name);

    public Task<byte[]> RunCommandAsync(ReadOnlyMemory<byte> command, CommandKind kind = CommandKind.Read,
        ReadOnlyMemory<byte>? options = null, CancellationToken cancellationToken = default) =>
        Client.RunCommandAsync(Name, command, kind, options, cancellationToken);

    public Task<BsonDocument> RunCommandAsync(BsonDocument command, CommandKind kind = CommandKind.Read, CancellationToken cancellationToken = default) =>
        Client.RunCommandAsync(Name, command, kind, cancellationToken);

    /// <summary>listCollections: the full documents (<c>name</c>, <c>type</c>, <c>options</c>, <c>info</c>).</summary>
    public Task<IReadOnlyList<BsonDocument>> ListCollectionsAsync(BsonDocument? filter = null, CancellationToken cancellationToken = default)
    {
        var opts = filter is null ? null : new BsonDocument { { "filter", filter } }.ToBytes();
        return Client.Pool.RunAsync<IReadOnlyList<BsonDocument>>(client =>
        {
            using var database = DatabaseHandle.Open(client, Name);
            using var o = OwnedBsonHandle.CopyOrNull(opts);
            using var cursor = new CursorHandle(
                LibMongoc.mongoc_database_find_collections_with_opts(database.Pointer, o?.Pointer ?? IntPtr.Zero), database);
            return CursorBatch.ReadAll(cursor, $"listCollections on '{Name}'");
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListCollectionNamesAsync(CancellationToken cancellationToken = default) =>
        (await ListCollectionsAsync(null, cancellationToken).ConfigureAwait(false))
            .Select(c => c["name"] is BsonString s ? s.Value : "").ToList();

    public Task DropAsync(CancellationToken cancellationToken = default) =>
        Client.Pool.RunAsync(client =>
        {
            using var database = DatabaseHandle.Open(client, Name);
            Drop(database);
            return true;
        }, cancellationToken);

    private unsafe void Drop(DatabaseHandle database)
    {
        BsonError error;
        if (!LibMongoc.mongoc_database_drop_with_opts(database.Pointer, IntPtr.Zero, &error))
            throw MongoErrorTranslator.Translate(error, default, $"dropping database '{Name}'");
    }

    /// <summary>A change stream over this database (<c>mongoc_database_watch</c>).</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pipeline = MongoChangeStream.BuildPipeline(options);
        var opts = MongoChangeStream.BuildOptions(options);
        return MongoChangeStream.OpenAsync(Client.Pool, client =>
        {
            using var database = DatabaseHandle.Open(client, Name);
            using var p = OwnedBsonHandle.Copy(pipeline);
            using var o = OwnedBsonHandle.Copy(opts);
            return new ChangeStreamHandle(LibMongoc.mongoc_database_watch(database.Pointer, p.Pointer, o.Pointer), client);
        }, options, $"watching database '{Name}'", cancellationToken);
    }
}
