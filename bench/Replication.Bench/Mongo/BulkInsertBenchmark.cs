using BenchmarkDotNet.Attributes;
using Replication.Bson;
using Replication.MongoAccess;
using Replication.Bench.Pipeline;
using Driver = MongoDB.Driver;
using MongoDB.Bson;

namespace Replication.Bench.Mongo;

/// <summary>
/// Unordered bulk inserts of small documents (1000 per batch) through MongoDB.Driver into the IN-MEMORY test server,
/// run in a process of its own — the time includes that server (not a real mongod), the allocations are the client's
/// alone. Each invocation inserts <see cref="Batches"/> batches into a fresh collection, then drops it; time and
/// allocations are per document, so inserts/s = 1 ÷ mean.
/// "raw" is the product's path: each item encoded straight to BSON bytes and handed over as a RawBsonDocument;
/// "BsonDocument" builds the driver's object model per item instead, as code without a raw fast path would.
/// </summary>
[MemoryDiagnoser]
public class BulkInsertBenchmark
{
    private const int BatchSize = 1000;
    private const int BatchCount = 20;

    private MongodProcess _server = null!;
    private Driver.IMongoClient _client = null!;
    private int _round;

    [Params(1, 4)]
    public int ConcurrentBatches { get; set; }

    public int Batches => BatchCount;

    [GlobalSetup]
    public void Setup()
    {
        _server = MongodProcess.StartAsync().GetAwaiter().GetResult();
        _client = MongoClientFactory.Create(_server.ConnectionString);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = BatchCount * BatchSize, Description = "raw BSON → RawBsonDocument (per document)")]
    public Task InsertRaw()
    {
        var database = _client.GetDatabase("bench");
        var name = $"raw{Interlocked.Increment(ref _round)}";
        var collection = MongoCollections.Raw(database, name);
        var options = new Driver.BulkWriteOptions { IsOrdered = false };
        return RunBatches(async batch =>
        {
            var models = new List<Driver.WriteModel<RawBsonDocument>>(BatchSize);
            for (var i = 0; i < BatchSize; i++)
                models.Add(new Driver.InsertOneModel<RawBsonDocument>(new RawBsonDocument(EncodeRaw(batch * BatchSize + i))));
            await collection.BulkWriteAsync(models, options);
        }, () => database.DropCollectionAsync(name));
    }

    [Benchmark(OperationsPerInvoke = BatchCount * BatchSize, Description = "driver BsonDocument (per document)")]
    public Task InsertBsonDocuments()
    {
        var database = _client.GetDatabase("bench");
        var name = $"doc{Interlocked.Increment(ref _round)}";
        var collection = database.GetCollection<BsonDocument>(name);
        var options = new Driver.BulkWriteOptions { IsOrdered = false };
        return RunBatches(async batch =>
        {
            var models = new List<Driver.WriteModel<BsonDocument>>(BatchSize);
            for (var i = 0; i < BatchSize; i++) models.Add(new Driver.InsertOneModel<BsonDocument>(BuildDocument(batch * BatchSize + i)));
            await collection.BulkWriteAsync(models, options);
        }, () => database.DropCollectionAsync(name));
    }

    private async Task RunBatches(Func<int, Task> insertBatch, Func<Task> drop)
    {
        var next = -1;
        var writers = Enumerable.Range(0, ConcurrentBatches).Select(async _ =>
        {
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < BatchCount) await insertBatch(batch);
        });
        await Task.WhenAll(writers);
        await drop(); // keeps the in-memory server's heap flat across thousands of invocations
    }

    private static byte[] EncodeRaw(int id)
    {
        using var writer = new BsonWriter(96);
        writer.WriteStartDocument();
        writer.WriteName("_id");
        writer.WriteInt32(id);
        writer.WriteName("name");
        writer.WriteString($"item-{id % BatchSize}");
        writer.WriteName("qty");
        writer.WriteInt32(id % 97);
        writer.WriteName("price");
        writer.WriteDouble(id * 0.25);
        writer.WriteName("active");
        writer.WriteBoolean(id % 2 == 0);
        writer.WriteEndDocument();
        return writer.ToArray();
    }

    private static BsonDocument BuildDocument(int id) => new()
    {
        { "_id", id },
        { "name", $"item-{id % BatchSize}" },
        { "qty", id % 97 },
        { "price", id * 0.25 },
        { "active", id % 2 == 0 },
    };
}
