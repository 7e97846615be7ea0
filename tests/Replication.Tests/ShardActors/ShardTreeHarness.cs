using Microsoft.Extensions.Logging;
using Akka.Actor;
using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Coordinator.Hosting;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Metrics;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.ShardActors;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.Tables;
using Replication.Testing.InMemoryMongo.Wire;
using Replication.Testing.Streams;
using Replication.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>
/// The real TableActor in an actor system, reading a <see cref="ScriptedStreamSource"/> and writing to the in-memory
/// MongoDB server through MongoDB.Driver, in mode incremental (no Scan). A "node" can be stopped and started again over the
/// same checkpoint database, as a restart would.
/// </summary>
public sealed class ShardTreeHarness : IAsyncDisposable
{
    public const string Table = "Orders";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;
    private readonly DynamoHttpTransport _unusedScanTransport;
    private readonly ScriptedScanHandler _scanHandler = new();
    private readonly List<object> _unhandled = [];
    private ActorSystem? _system;
    private IDisposable? _reports;
    private bool _ownsSystem;
    private ReplicationMetrics? _metrics;

    public ShardTreeHarness(ITestOutputHelper output, params string[] overrides) : this(output, clock: null, overrides)
    {
    }

    /// <param name="clock">The node's and the stream's clock (record times, iterator expiry); the system clock when null.</param>
    public ShardTreeHarness(ITestOutputHelper output, TimeProvider? clock, params string[] overrides)
    {
        _output = output;
        Clock = clock;
        Mongo = new InMemoryMongoServer();
        Client = MongoClientFactory.Create(Mongo.ConnectionString + "&serverSelectionTimeoutMS=5000");
        string[] defaults =
        [
            "replication.id=splits",
            "replication.mode=incremental",
            // Incremental mode never scans: the Scan client goes through a handler that refuses and counts every request.
            "replication.source.dynamodb.endpoint=\"http://127.0.0.1:9\"",
            "replication.source.dynamodb.credentials.access-key-id=local",
            "replication.source.dynamodb.credentials.secret-access-key=local",
            $"replication.target.mongodb.uri=\"{Mongo.ConnectionString}&serverSelectionTimeoutMS=5000\"",
            "replication.incremental.min-poll-interval=200ms",
            "replication.incremental.max-idle-backoff=200ms",
            "replication.incremental.shard-discovery-interval=500ms",
            "replication.incremental.records-limit=5",
        ];
        var configuration = ReplicationConfiguration.Load(null, [.. defaults, .. overrides], new Dictionary<string, string>());
        Assert.Empty(configuration.Warnings);
        Settings = configuration.Settings;
        Checkpoints = new CheckpointStore(Client.GetDatabase(Settings.CheckpointDatabase), Settings.DeadLetterCollection);
        Stream = new ScriptedStreamSource(Table, new TableKeySchema("id", null), clock);
        _unusedScanTransport = new DynamoHttpTransport(new DynamoHttpOptions
        {
            ServiceUrl = new Uri(Settings.Source.DynamoDb.Endpoint),
            Credentials = DynamoCredentialSource.FromKeys("local", "local"),
            MaxAttempts = 1,
        }, _scanHandler);
    }

    public InMemoryMongoServer Mongo { get; }
    public IMongoClient Client { get; }
    public ReplicationSettings Settings { get; }
    public CheckpointStore Checkpoints { get; }
    public ScriptedStreamSource Stream { get; }
    public IActorRef? TableActor { get; private set; }

    /// <summary>The running node's services (its restart ledger, drain, metrics); null before a start.</summary>
    public ReplicationServices? Services { get; private set; }
    public TimeProvider? Clock { get; }

    /// <summary>Requests the Scan client made: mode incremental must make none.</summary>
    public int ScanRequests => _scanHandler.Requests;

    /// <summary>
    /// From now on every Scan is answered (until then each is refused, so a full sync in mode all cannot finish):
    /// segment 0 returns <paramref name="itemsJson"/> (DynamoDB JSON items) in one page, the other segments nothing.
    /// </summary>
    public void AnswerScansWith(params string[] itemsJson) => _scanHandler.Answer(itemsJson);

    public IMongoCollection<BsonDocument> Target => Client.GetDatabase(Settings.Target.Database).GetCollection<BsonDocument>("orders");

    /// <summary>Messages the table sent its parent (the guardian here) that nobody handled: TableFailed, TableFullSyncDone.</summary>
    public IReadOnlyList<object> TableReports
    {
        get { lock (_unhandled) return _unhandled.ToArray(); }
    }

    /// <summary>
    /// Registers the table as the coordinator would (once; again is harmless) and starts its actor in a new system, or in
    /// <paramref name="system"/> (a TestKit's, on virtual time), which then stays its owner's to shut down.
    /// </summary>
    public async Task StartAsync(ActorSystem? system = null)
    {
        var (services, loggers) = await StartSystemAsync(cluster: null, system);
        TableActor = _system!.ActorOf(Replication.ShardActors.Tables.TableActor.Props(services, Table), Table);
    }

    /// <summary>
    /// The table actor in cluster mode, in the harness's one-node Akka cluster: the shards run as Cluster Sharding
    /// entities under their leases (owner node-1), started by the dispatcher from the checkpoints, not as the table
    /// actor's children.
    /// </summary>
    public async Task StartClusterAsync()
    {
        var database = Client.GetDatabase(Settings.CheckpointDatabase);
        var settings = Settings.Cluster with { Enabled = true, LeaseRenewInterval = TimeSpan.FromMilliseconds(300) };
        // The table actor runs here, as under the coordinator singleton: this node holds the coordinator lease.
        var node = new ClusterContext("node-1", settings, new LeaseTable(database), () => true);
        var (services, _) = await StartSystemAsync(node);
        TableActor = _system!.ActorOf(Replication.ShardActors.Tables.TableActor.Props(services, Table), Table);
        _system.ActorOf(WorkUnits.Start(_system, new TableLeasedWork(services), node, () => { }), "units");
    }

    private async Task<(ReplicationServices Services, ILoggerFactory Loggers)> StartSystemAsync(ClusterContext? cluster, ActorSystem? system = null)
    {
        if (_system is not null) throw new InvalidOperationException("the node is already running");
        await Checkpoints.EnsureIndexesAsync();
        await Checkpoints.RegisterTableAsync(new TableRegistration(Table, "orders", Stream.KeySchema, Stream.StreamArn, "NEW_AND_OLD_IMAGES"));
        var loggers = LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(_output)).SetMinimumLevel(LogLevel.Information));
        _metrics = new ReplicationMetrics();
        var services = new ReplicationServices(Settings, new DynamoScanClient(_unusedScanTransport), Stream,
            Client.GetDatabase(Settings.Target.Database), Checkpoints, _metrics, loggers, Clock) { Cluster = cluster };
        _ownsSystem = system is null;
        _system = system ?? NodeActorSystem.Create(Settings.Configuration ?? ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config, loggers, clusterEnabled: false);
        Services = services;
        // The table actor runs under the user guardian, which passes its reports on to the dead letters.
        _reports = new EventSubscription<Akka.Event.AllDeadLetters>(_system, m =>
        {
            lock (_unhandled) _unhandled.Add(m.Message);
        });
        return (services, loggers);
    }

    /// <summary>Stops every actor; when this returns no handler is running, so the checkpoints are what a crash would leave at best.</summary>
    public async Task StopAsync()
    {
        if (_system is null) return;
        _reports?.Dispose();
        if (_ownsSystem) await _system.Terminate();
        else if (TableActor is not null) await TableActor.GracefulStop(DefaultTimeout);
        _system = null;
        TableActor = null;
        _metrics?.Dispose();
        _metrics = null;
    }

    /// <summary>
    /// The checkpoints an earlier run left when it finished the full sync (begun now, by <see cref="Checkpoints"/>' clock)
    /// without learning a start position for <paramref name="shardIds"/>: they stay Prepared with none.
    /// </summary>
    public async Task FinishFullSyncWithoutStartPositionsAsync(params string[] shardIds)
    {
        await Checkpoints.RegisterTableAsync(new TableRegistration(Table, "orders", Stream.KeySchema, Stream.StreamArn, "NEW_AND_OLD_IMAGES"));
        await Checkpoints.BeginFullSyncAsync(Table, 0, 1);
        await Checkpoints.SaveSegmentPageAsync(Table, 0, 0, null, 0);
        await Checkpoints.FinishFullSyncAsync(Table, 0);
        foreach (var shardId in shardIds)
            await Checkpoints.RegisterShardAsync(Table, Stream.StreamArn, shardId, null, ShardStatus.Prepared);
    }

    public async Task<ShardCheckpoint?> ShardAsync(string shardId) => await Checkpoints.GetShardAsync(Table, shardId);

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after a generous timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    public Task WaitForShardAsync(string shardId, ShardStatus status, SequenceNumber? sequenceNumber = null) =>
        WaitUntilAsync(async () => await ShardAsync(shardId) is { } s && s.Status == status && (sequenceNumber is null || s.SequenceNumber == sequenceNumber),
            $"shard {shardId} is {status}{(sequenceNumber is null ? "" : " at " + sequenceNumber)}");

    /// <summary>Polls until the target holds exactly the documents of <paramref name="expected"/> (id → the item's version v).</summary>
    public async Task WaitForTargetAsync(IReadOnlyDictionary<string, int> expected)
    {
        var deadline = DateTimeOffset.UtcNow + DefaultTimeout;
        while (true)
        {
            var actual = await TargetVersionsAsync();
            var difference = Difference(expected, actual);
            if (difference.Length == 0) return;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"the target does not match the stream: {difference}");
            await Task.Delay(100);
        }
    }

    public async Task<Dictionary<string, int>> TargetVersionsAsync()
    {
        var documents = await Target.Find(new BsonDocument()).ToListAsync();
        return documents.ToDictionary(d => ((BsonString)d["_id"]!).Value, d => d["v"] is BsonInt32 v ? v.Value : -1);
    }

    private static string Difference(IReadOnlyDictionary<string, int> expected, Dictionary<string, int> actual)
    {
        var missing = expected.Keys.Except(actual.Keys).Order().ToArray();
        var extra = actual.Keys.Except(expected.Keys).Order().ToArray();
        var changed = expected.Keys.Intersect(actual.Keys).Where(k => expected[k] != actual[k]).Order().Select(k => $"{k}: v{actual[k]} instead of v{expected[k]}").ToArray();
        return missing.Length + extra.Length + changed.Length == 0 ? "" :
            $"missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}], different [{string.Join(", ", changed)}]";
    }

    public static string Key(string id) => $$$"""{"id":{"S":"{{{id}}}"}}""";

    public static string Item(string id, int version, string shardId) => $$$"""{"id":{"S":"{{{id}}}"},"v":{"N":"{{{version}}}"},"writtenIn":{"S":"{{{shardId}}}"}}""";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _unusedScanTransport.Dispose();
        _scanHandler.Dispose();
        Client.Dispose();
        await Mongo.DisposeAsync();
    }
}

/// <summary>
/// The DynamoDB data plane of these tests: counts every request and refuses it, until a test says what its Scans return.
/// </summary>
internal sealed class ScriptedScanHandler : HttpMessageHandler
{
    private int _requests;
    private volatile string[]? _items;

    public int Requests => Volatile.Read(ref _requests);

    public void Answer(string[] itemsJson) => _items = itemsJson;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (_items is not { } items) throw new HttpRequestException($"no DynamoDB endpoint in this test ({request.RequestUri})");
        using var body = System.Text.Json.JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var segment = body.RootElement.TryGetProperty("Segment", out var s) ? s.GetInt32() : 0;
        var page = segment == 0 ? items : [];
        var json = $$"""{"Items":[{{string.Join(",", page)}}],"Count":{{page.Length}},"ScannedCount":{{page.Length}}}""";
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/x-amz-json-1.0") };
    }
}

/// <summary>A test's script of writes to a <see cref="ScriptedStreamSource"/>, with the state the target must end in.</summary>
public sealed class StreamScript(ScriptedStreamSource stream)
{
    private readonly Dictionary<string, int> _expected = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Expected => _expected;

    public SequenceNumber Put(string shardId, string id, int version)
    {
        var sequence = _expected.ContainsKey(id)
            ? stream.Modify(shardId, ShardTreeHarness.Key(id), ShardTreeHarness.Item(id, version, shardId))
            : stream.Insert(shardId, ShardTreeHarness.Key(id), ShardTreeHarness.Item(id, version, shardId));
        _expected[id] = version;
        return sequence;
    }

    public SequenceNumber Delete(string shardId, string id)
    {
        _expected.Remove(id);
        return stream.Remove(shardId, ShardTreeHarness.Key(id));
    }

    /// <summary>Writes <paramref name="count"/> distinct keys (prefix0, prefix1, …) at <paramref name="version"/>.</summary>
    public SequenceNumber PutMany(string shardId, string prefix, int count, int version)
    {
        SequenceNumber last = default;
        for (var i = 0; i < count; i++) last = Put(shardId, prefix + i, version);
        return last;
    }
}
