using MongoDB.Driver.Core.Clusters;
using MongoDB.Bson;
using Driver = MongoDB.Driver;

namespace Replication.Mongo;

/// <summary>
/// A MongoDB deployment reached through MongoDB.Driver. The connection string is handed to the driver as given
/// (replica sets, sharded clusters, TLS, auth, <c>mongodb+srv</c>, timeouts). Thread-safe; create one per deployment
/// and dispose it last. Failures surface as <see cref="MongoException"/>s whose messages name the host.
/// </summary>
public sealed class MongoClient : IAsyncDisposable
{
    private readonly Driver.MongoClient _client;

    public MongoClient(string connectionString, MongoClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new MongoClientOptions();
        Driver.MongoClientSettings settings;
        try
        {
            settings = Driver.MongoClientSettings.FromConnectionString(connectionString);
        }
        catch (Exception e) when (e is Driver.MongoConfigurationException or ArgumentException or FormatException)
        {
            // The driver's message names the bad part; the string itself may carry a password, so it is not repeated.
            throw new ArgumentException($"Invalid MongoDB connection string: {e.Message}", nameof(connectionString), e);
        }
        if (options.MaxPoolSize is { } maxPoolSize)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxPoolSize, 1, nameof(options.MaxPoolSize));
            settings.MaxConnectionPoolSize = maxPoolSize;
        }
        settings.ApplicationName ??= options.ApplicationName;
        _client = new Driver.MongoClient(settings);
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public int MaxPoolSize => _client.Settings.MaxConnectionPoolSize;

    /// <summary>The underlying driver client, for code that needs the driver's own API (e.g. sessions).</summary>
    public Driver.IMongoClient DriverClient => _client;

    internal ClusterDescription Cluster => _client.Cluster.Description;

    public MongoDatabase GetDatabase(string name) => new(this, name);

    /// <summary>Runs <paramref name="command"/> (BSON bytes) on <paramref name="database"/>; returns the reply's bytes.</summary>
    public Task<byte[]> RunCommandAsync(string database, ReadOnlyMemory<byte> command, CommandKind kind = CommandKind.Read,
        CancellationToken cancellationToken = default) =>
        GetDatabase(database).RunCommandAsync(command, kind, cancellationToken);

    public async Task<BsonDocument> RunCommandAsync(string database, BsonDocument command, CommandKind kind = CommandKind.Read,
        CancellationToken cancellationToken = default) =>
        RawDocuments.Parse(await RunCommandAsync(database, command.ToBson(), kind, cancellationToken).ConfigureAwait(false));

    /// <summary>The <c>hello</c> reply of the primary.</summary>
    public Task<BsonDocument> HelloAsync(CancellationToken cancellationToken = default) =>
        RunCommandAsync("admin", new BsonDocument { { "hello", 1 } }, CommandKind.Plain, cancellationToken);

    /// <summary>buildInfo's <c>version</c>, e.g. "7.0.2".</summary>
    public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RunCommandAsync("admin", new BsonDocument { { "buildInfo", 1 } }, CommandKind.Plain, cancellationToken).ConfigureAwait(false);
        return reply.GetValue("version", BsonNull.Value) is BsonString version ? version.Value : throw new MongoCommandException(
            "buildInfo reply has no string 'version'", 0, null, [], reply.ToBson());
    }

    /// <summary>listDatabases: one document per database (<c>name</c>, <c>sizeOnDisk</c>, <c>empty</c>).</summary>
    public Task<IReadOnlyList<BsonDocument>> ListDatabasesAsync(CancellationToken cancellationToken = default) =>
        GuardAsync<IReadOnlyList<BsonDocument>>("listDatabases", async () =>
        {
            using var cursor = await _client.ListDatabasesAsync(cancellationToken).ConfigureAwait(false);
            return (await Driver.IAsyncCursorExtensions.ToListAsync(cursor, cancellationToken).ConfigureAwait(false)).Select(RawDocuments.ToDocument).ToList();
        });

    /// <summary>A change stream over every database.</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        MongoChangeStream.OpenAsync(this, "watching the deployment",
            (stages, driverOptions) => _client.WatchAsync(
                MongoChangeStream.Pipeline<Driver.ChangeStreamDocument<MongoDB.Bson.BsonDocument>>(stages), driverOptions, cancellationToken), options);

    /// <summary>Runs one driver call and turns its failure into a <see cref="MongoException"/> naming <paramref name="operation"/>.</summary>
    internal async Task<T> GuardAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (MongoErrorTranslator.IsDriverFailure(e))
        {
            throw MongoErrorTranslator.Translate(e, operation, Cluster);
        }
    }

    internal MongoException Translate(Exception error, string operation) => MongoErrorTranslator.Translate(error, operation, Cluster);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
