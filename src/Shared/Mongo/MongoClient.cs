using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>
/// A MongoDB deployment reached through libmongoc's client pool. The connection string is handed to libmongoc as
/// given (replica sets, TLS, auth, <c>mongodb+srv</c>, timeouts). Every call runs on the client's own worker threads;
/// thread-safe; create one per deployment and dispose it last.
/// </summary>
public sealed class MongoClient : IAsyncDisposable
{
    private readonly ClientPool _pool;

    public MongoClient(string connectionString, MongoClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new MongoClientOptions();
        NativeLibraries.EnsureInitialized();
        using var uri = UriHandle.Parse(connectionString);
        var maxPoolSize = options.MaxPoolSize ?? uri.GetInt32Option("maxpoolsize", 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoolSize, 1, nameof(options.MaxPoolSize));
        // The pool's size is fixed through the URI (mongoc_client_pool_max_size is deprecated) so slots and pool agree.
        LibMongoc.mongoc_uri_set_option_as_int32(uri.Pointer, "maxpoolsize", maxPoolSize);
        var handle = ClientPoolHandle.Create(uri, options.ApplicationName);
        var workers = new BlockingCallWorkers(options.WorkerThreads ?? maxPoolSize, "libmongoc");
        _pool = new ClientPool(handle, maxPoolSize, workers);
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public int MaxPoolSize => _pool.MaxClients;

    /// <summary>Worker threads started so far (they start on demand, up to <see cref="MongoClientOptions.WorkerThreads"/>).</summary>
    public int WorkerThreadCount => _pool.Workers.ThreadCount;

    internal ClientPool Pool => _pool;

    public MongoDatabase GetDatabase(string name) => new(this, name);

    /// <summary>Runs <paramref name="command"/> (BSON bytes) on <paramref name="database"/>; returns the reply's bytes.</summary>
    public Task<byte[]> RunCommandAsync(string database, ReadOnlyMemory<byte> command, CommandKind kind = CommandKind.Read,
        ReadOnlyMemory<byte>? options = null, CancellationToken cancellationToken = default) =>
        _pool.RunAsync(client => CommandRunner.Run(client, database, command.Span, kind, options), cancellationToken);

    public async Task<BsonDocument> RunCommandAsync(string database, BsonDocument command, CommandKind kind = CommandKind.Read,
        CancellationToken cancellationToken = default) =>
        BsonDocument.Parse(await RunCommandAsync(database, command.ToBytes(), kind, null, cancellationToken).ConfigureAwait(false));

    /// <summary>The <c>hello</c> reply of the server libmongoc selects for reads.</summary>
    public Task<BsonDocument> HelloAsync(CancellationToken cancellationToken = default) =>
        RunCommandAsync("admin", new BsonDocument { { "hello", 1 } }, CommandKind.Plain, cancellationToken);

    /// <summary>buildInfo's <c>version</c>, e.g. "7.0.2".</summary>
    public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RunCommandAsync("admin", new BsonDocument { { "buildInfo", 1 } }, CommandKind.Plain, cancellationToken).ConfigureAwait(false);
        return reply["version"] is BsonString version ? version.Value : throw new MongoCommandException(
            "buildInfo reply has no string 'version'", (int)MongocErrorDomain.Protocol, 0, null, [], reply.ToBytes());
    }

    /// <summary>listDatabases: one document per database (<c>name</c>, <c>sizeOnDisk</c>, <c>empty</c>).</summary>
    public async Task<IReadOnlyList<BsonDocument>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RunCommandAsync("admin", new BsonDocument { { "listDatabases", 1 } }, CommandKind.Read, cancellationToken).ConfigureAwait(false);
        return reply["databases"] is BsonArray databases ? databases.OfType<BsonDocument>().ToList() : [];
    }

    /// <summary>A change stream over every database (<c>mongoc_client_watch</c>).</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pipeline = MongoChangeStream.BuildPipeline(options);
        var opts = MongoChangeStream.BuildOptions(options);
        return MongoChangeStream.OpenAsync(_pool, client =>
        {
            using var p = OwnedBsonHandle.Copy(pipeline);
            using var o = OwnedBsonHandle.Copy(opts);
            return new ChangeStreamHandle(LibMongoc.mongoc_client_watch(client.Pointer, p.Pointer, o.Pointer), client);
        }, options, "watching the deployment", cancellationToken);
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
