using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Health;
using Replication.Metrics;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Management;

/// <summary>
/// A management server on a free loopback port, over real HTTP, backed by a real checkpoint store on the in-memory MongoDB
/// server, a fixed cluster view, this test's own metrics and a readiness whose pings the test switches on and off.
/// </summary>
public abstract class ManagementServerTest : IAsyncLifetime
{
    protected const string MongoSecret = "hunter2pass";
    protected const string AwsSecret = "wJalrXUtnFEMIsuperSecretValue";

    private InMemoryMongoServer _mongo = null!;
    private IMongoClient _client = null!;

    internal ManualClock Clock { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    internal FixedClusterView Cluster { get; private set; } = null!;
    protected CheckpointStore Checkpoints { get; private set; } = null!;

    /// <summary>The checkpoint database <see cref="Checkpoints"/> writes to (leases live there too).</summary>
    protected IMongoDatabase CheckpointDatabase => _client.GetDatabase("mgmt_checkpoint");
    protected ReplicationMetrics Metrics { get; } = new();
    protected ReplicationConfiguration Configuration { get; private set; } = null!;
    protected NodeReadiness Readiness { get; private set; } = null!;
    protected ManagementServer Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    /// <summary>What the source and target pings throw; null means reachable.</summary>
    protected volatile Exception? SourceFailure = new InvalidOperationException("source ping refused (test)");
    protected volatile Exception? TargetFailure;

    protected virtual SyncMode Mode => SyncMode.All;

    public async Task InitializeAsync()
    {
        _mongo = new InMemoryMongoServer();
        _client = MongoClientFactory.Create(_mongo.ConnectionString + "&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000");
        Checkpoints = new CheckpointStore(CheckpointDatabase, clock: Clock);
        Cluster = FixedClusterView.FourNodes(Clock.GetUtcNow());
        Configuration = ReplicationConfiguration.Load(null,
        [
            "replication.id = mgmt-test",
            $"replication.target.mongodb.uri = \"mongodb://admin:{MongoSecret}@db.example.com:27017/?replicaSet=rs0\"",
            "replication.source.dynamodb.credentials.access-key-id = AKIAEXAMPLEKEYID",
            $"replication.source.dynamodb.credentials.secret-access-key = \"{AwsSecret}\"",
        ], environment: new Dictionary<string, string>());
        // No caching here, so a switched ping shows at the next request; caching has its own test.
        Readiness = new NodeReadiness(_ => Ping(SourceFailure), _ => Ping(TargetFailure), checkTimeout: TimeSpan.FromSeconds(5), cacheFor: TimeSpan.Zero);
        var context = new ManagementContext(Cluster, Checkpoints, Metrics, Configuration.Config, Readiness) { Clock = Clock, Mode = Mode };
        Server = new ManagementServer(new ManagementSettings(Enabled: true, Hostname: "127.0.0.1", Port: 0), context, NullLoggerFactory.Instance);
        await Server.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static Task Ping(Exception? failure) => failure is null ? Task.CompletedTask : Task.FromException(failure);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Metrics.Dispose();
        _client.Dispose();
        await _mongo.DisposeAsync();
    }

    protected async Task<(HttpResponseMessage Response, JsonElement Body)> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response, body);
    }

    protected async Task<T> GetAsync<T>(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, ManagementJson.Options)!;
    }

    protected static IReadOnlyList<string> PropertyNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();
}
