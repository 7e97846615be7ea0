using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.ShardActors.MongoSource;
using Replication.Tests.EndToEnd;
using Replication.Testing.Comparison;
using Replication.Testing.InMemoryMongo.Engine;
using Replication.Testing.InMemoryMongo.Wire;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// Two in-memory MongoDB servers, source and target, real MongoDB.Driver clients to both, and a MongoDB → MongoDB node;
/// the comparison reads both sides with the driver, independently of the code under test.
/// </summary>
public sealed class MongoToMongoHarness : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;

    /// <param name="sourceWireVersion">What the source's hello reports: below 17 it acts as a server older than MongoDB 6.0.</param>
    public MongoToMongoHarness(ITestOutputHelper output, int changeLogCapacity = 1_000_000, int sourceWireVersion = MongoEngineOptions.ExpandedEventsWireVersion)
    {
        _output = output;
        SourceServer = new InMemoryMongoServer(new InMemoryMongoServerOptions
        {
            Engine = new MongoEngineOptions { ChangeLogCapacity = changeLogCapacity, MaxWireVersion = sourceWireVersion },
        });
        TargetServer = new InMemoryMongoServer();
        Source = new MongoClient(SourceServer.ConnectionString + "&serverSelectionTimeoutMS=5000");
        Target = new MongoClient(TargetServer.ConnectionString + "&serverSelectionTimeoutMS=5000");
        Id = "m2m" + Guid.NewGuid().ToString("N")[..8];
    }

    public InMemoryMongoServer SourceServer { get; }
    public InMemoryMongoServer TargetServer { get; }
    public MongoClient Source { get; }
    public MongoClient Target { get; }
    public string Id { get; }

    public string[] SettingOverrides(params string[] overrides)
    {
        string[] defaults =
        [
            $"replication.id={Id}",
            "replication.source.type=mongodb",
            $"replication.source.mongodb.uri=\"{SourceServer.ConnectionString}&serverSelectionTimeoutMS=5000\"",
            $"replication.target.mongodb.uri=\"{TargetServer.ConnectionString}&serverSelectionTimeoutMS=5000\"",
            "replication.source.mongodb.copiers=3",
            "replication.source.mongodb.batch-size=100",
            "replication.management.http.port=0",
        ];
        return [.. defaults, .. overrides];
    }

    public ReplicationSettings Settings(params string[] overrides) =>
        ReplicationConfiguration.Load(null, SettingOverrides(overrides), new Dictionary<string, string>()).Settings;

    public Task<MongoReplicationNode> StartNodeAsync(ReplicationSettings settings, ILoggerProvider? alsoLogTo = null) =>
        MongoReplicationNode.StartAsync(settings, LoggerFactory.Create(b =>
        {
            b.AddProvider(new TestOutputLoggerProvider(_output)).SetMinimumLevel(LogLevel.Information);
            if (alsoLogTo is not null) b.AddProvider(alsoLogTo);
        }));

    public MongoSyncCheckpoints Checkpoints(ReplicationSettings settings) => new(Target.GetDatabase(settings.CheckpointDatabase));

    public IMongoCollection<BsonDocument> SourceCollection(string ns) => Collection(Source, ns);

    public IMongoCollection<BsonDocument> TargetCollection(string ns) => Collection(Target, ns);

    private static IMongoCollection<BsonDocument> Collection(IMongoClient client, string ns)
    {
        var dot = ns.IndexOf('.');
        return client.GetDatabase(ns[..dot]).GetCollection<BsonDocument>(ns[(dot + 1)..]);
    }

    public async Task WaitForPhaseAsync(ReplicationSettings settings, MongoSyncPhase phase, TimeSpan? timeout = null)
    {
        var checkpoints = Checkpoints(settings);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (DateTime.UtcNow < deadline)
        {
            if ((await checkpoints.LoadStateAsync(default))?.Phase == phase) return;
            await Task.Delay(100);
        }
        Assert.Fail($"the run did not reach phase {phase} in time");
    }

    public Task<string?> DifferenceAsync(IReadOnlyDictionary<string, string> namespaces) => MongoNamespaceComparison.DifferenceAsync(Source, Target, namespaces);

    public async Task WaitUntilEqualAsync(IReadOnlyDictionary<string, string> namespaces, TimeSpan? timeout = null)
    {
        var difference = await MongoNamespaceComparison.WaitUntilEqualAsync(Source, Target, namespaces, timeout ?? TimeSpan.FromMinutes(2));
        if (difference is not null) Assert.Fail($"target does not match source: {difference}");
    }

    public async ValueTask DisposeAsync()
    {
        Source.Dispose();
        Target.Dispose();
        await SourceServer.DisposeAsync();
        await TargetServer.DisposeAsync();
    }
}
