using BenchmarkDotNet.Attributes;
using Replication.Bson;
using Replication.Mongo;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Bench.Mongo;

/// <summary>
/// Unordered bulk inserts of small documents (1000 per batch) through libmongoc into the IN-MEMORY test server —
/// it measures the binding plus that server, not a real mongod. Each invocation inserts <see cref="Batches"/>
/// batches into a fresh collection; inserts/s = Batches × 1000 ÷ mean time.
/// </summary>
[MemoryDiagnoser]
public class BulkInsertBenchmark
{
    private const int BatchSize = 1000;

    private InMemoryMongoServer _server = null!;
    private MongoClient _client = null!;
    private List<WriteModel>[] _batches = [];
    private int _round;

    [Params(1, 4)]
    public int ConcurrentBatches { get; set; }

    public int Batches => 20;

    [GlobalSetup]
    public void Setup()
    {
        _server = new InMemoryMongoServer();
        _client = new MongoClient(_server.ConnectionString);
        _batches = Enumerable.Range(0, Batches).Select(b => Enumerable.Range(0, BatchSize).Select(i =>
            (WriteModel)new InsertOneModel(new BsonDocument
            {
                { "_id", b * BatchSize + i },
                { "name", $"item-{i}" },
                { "qty", i % 97 },
                { "price", i * 0.25 },
                { "active", i % 2 == 0 },
            }.ToBytes())).ToList()).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = 20 * BatchSize, Description = "bulk insert (per document)")]
    public async Task InsertUnorderedBatches()
    {
        var collection = _client.GetDatabase("bench").GetCollection($"items{Interlocked.Increment(ref _round)}");
        var options = new BulkWriteOptions { IsOrdered = false };
        var next = -1;
        var writers = Enumerable.Range(0, ConcurrentBatches).Select(async _ =>
        {
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < _batches.Length)
                await collection.BulkWriteAsync(_batches[batch], options);
        });
        await Task.WhenAll(writers);
    }
}
