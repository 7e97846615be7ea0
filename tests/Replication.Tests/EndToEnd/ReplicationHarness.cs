using Amazon.DynamoDBv2;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.ShardActors.Tables;
using Replication.Testing.Comparison;
using Replication.Testing.DynamoLocal;
using Replication.Testing.InMemoryMongo.Wire;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// A real node against a real DynamoDB Local and the in-memory MongoDB server, with helpers to compare the target to
/// the source under the configured mapping.
/// </summary>
public sealed class ReplicationHarness : IAsyncDisposable
{
    private readonly DynamoDbLocal _dynamo;
    private readonly ITestOutputHelper _output;

    public ReplicationHarness(DynamoDbLocal dynamo, ITestOutputHelper output)
    {
        _dynamo = dynamo;
        _output = output;
        Mongo = new InMemoryMongoServer();
        Client = MongoClientFactory.Create(Mongo.ConnectionString + "&serverSelectionTimeoutMS=5000");
        Dynamo = dynamo.CreateClient();
        Prefix = "e2e" + Guid.NewGuid().ToString("N")[..8];
    }

    public InMemoryMongoServer Mongo { get; }
    public IMongoClient Client { get; }
    public IAmazonDynamoDB Dynamo { get; }
    public string Prefix { get; }

    public ReplicationSettings Settings(params string[] overrides) =>
        ReplicationConfiguration.Load(null, SettingOverrides(overrides), new Dictionary<string, string>()).Settings;

    /// <summary>The test defaults and <paramref name="overrides"/> as <c>key=value</c> settings, e.g. for <c>replication run --set</c>.</summary>
    public string[] SettingOverrides(params string[] overrides)
    {
        string[] defaults =
        [
            $"replication.id={Prefix}",
            $"replication.source.dynamodb.endpoint=\"{_dynamo.ServiceUrl}\"",
            "replication.source.dynamodb.credentials.access-key-id=local",
            "replication.source.dynamodb.credentials.secret-access-key=local",
            $"replication.target.mongodb.uri=\"{Mongo.ConnectionString}&serverSelectionTimeoutMS=5000\"",
            $"replication.filter.include=[\"{Prefix}*\"]",
            "replication.full-sync.segments=3",
            "replication.full-sync.page-size=20",
            "replication.incremental.max-idle-backoff=300ms",
            "replication.incremental.shard-discovery-interval=1s",
            "replication.management.http.port=0", // any free port: tests run side by side
        ];
        return [.. defaults, .. overrides];
    }

    public Task<ReplicationNode> StartNodeAsync(ReplicationSettings settings) =>
        ReplicationNode.StartAsync(settings, LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(_output)).SetMinimumLevel(LogLevel.Information)));

    public IMongoCollection<BsonDocument> Target(ReplicationSettings settings, string table) => Client.GetDatabase(settings.Target.Database).GetCollection<BsonDocument>(table);

    /// <summary>
    /// Source and target compared independently of the code under test: the AWS SDK's Scan and the tests' own converter
    /// of the README's mapping on one side, the target collection on the other.
    /// </summary>
    public ReplicaComparison Comparison(ReplicationSettings settings) =>
        new(Dynamo, Client.GetDatabase(settings.Target.Database), settings.Convert.Mode, settings.Convert.Key);

    /// <summary>The source table as the README says it becomes documents, keyed like <see cref="TargetAsync"/>.</summary>
    public Task<Dictionary<string, BsonDocument>> SourceAsync(ReplicationSettings settings, string table) => Comparison(settings).ReadSourceAsync(table);

    public async Task<Dictionary<string, BsonDocument>> TargetAsync(ReplicationSettings settings, string table)
    {
        var comparison = Comparison(settings);
        return await comparison.ReadTargetAsync(table, await comparison.ConverterForAsync(table));
    }

    /// <summary>Polls until the target holds exactly the source's documents; on timeout, fails with the differences.</summary>
    public async Task WaitUntilTargetEqualsSourceAsync(ReplicationSettings settings, string table, TimeSpan? timeout = null)
    {
        var difference = await Comparison(settings).WaitUntilEqualAsync(table, table, timeout ?? TimeSpan.FromMinutes(3));
        if (!difference.IsMatch) Assert.Fail($"table {table}: target does not match source: {difference}");
    }

    public async Task WaitForFullSyncAsync(ReplicationNode node, string table, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (DateTimeOffset.UtcNow < deadline)
        {
            var checkpoint = await node.Services.Checkpoints.GetTableAsync(table);
            if (checkpoint?.FullSync.Status == Replication.Checkpoints.FullSyncStatus.Done) return;
            await Task.Delay(200);
        }
        Assert.Fail($"the full sync of {table} did not finish in time");
    }

    public async ValueTask DisposeAsync()
    {
        Dynamo.Dispose();
        Client.Dispose();
        await Mongo.DisposeAsync();
    }
}

/// <summary>Routes the node's logs into the test output, so a failing run shows what the node did.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished; its output is closed.
            }
        }
    }
}
