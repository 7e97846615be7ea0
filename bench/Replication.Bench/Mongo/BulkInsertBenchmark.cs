using BenchmarkDotNet.Attributes;
using Replication.Bson;
using Replication.Mongo;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Bench.Mongo;

/// <summary>
/// Unordered bulk inserts of small documents (1000 per batch) through libmongoc into the IN-MEMORY test server —
/// it measures the binding plus that server, not a real mongod. Each invocation inserts <see cref="Batches"/>
/// batches into a fresh collection, then drops it; the reported time is per document, so inserts/s = 1 ÷ mean.
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

    /// <summary>
    /// The in-memory server's share: the same batches decoded from BSON and executed by its engine directly, with no
    /// socket and no libmongoc. The difference to the method above is what the binding and the wire cost.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 20 * BatchSize, Description = "engine only (per document)")]
    public void EngineOnly()
    {
        var name = $"engine{Interlocked.Increment(ref _round)}";
        var context = new Replication.Testing.InMemoryMongo.Engine.CommandContext(0, "benchmark");
        foreach (var batch in _batches)
        {
            var documents = batch.Select(m => BsonDocument.Parse(((InsertOneModel)m).Document.Span)).ToList();
            var command = new BsonDocument { { "insert", name }, { "ordered", false }, { "$db", "bench" } };
            var sequences = new Dictionary<string, IReadOnlyList<BsonDocument>> { ["documents"] = documents };
            _server.Engine.Execute(command, sequences, context);
        }
        _server.Engine.Execute(new BsonDocument { { "drop", name }, { "$db", "bench" } }, null, context);
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
        await collection.DropAsync(); // keeps the in-memory server's heap flat across thousands of invocations
    }
}
