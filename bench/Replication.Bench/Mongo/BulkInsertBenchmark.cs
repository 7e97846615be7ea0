using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Replication.Bench.Dynamo;
using Replication.Bench.Pipeline;
using Replication.Bson;
using Replication.Dynamo.Conversion;
using Replication.MongoAccess;
using Driver = MongoDB.Driver;

namespace Replication.Bench.Mongo;

/// <summary>
/// Unordered bulk inserts of small documents (1000 per batch) through MongoDB.Driver into the IN-MEMORY test server,
/// run in a process of its own — the time includes that server (not a real mongod), the allocations are the client's
/// alone. Each invocation inserts <see cref="Batches"/> batches into a fresh collection, then drops it; time and
/// allocations are per document, so inserts/s = 1 ÷ mean.
/// "raw" is the product's path: each item encoded straight to BSON bytes and handed over as a RawBsonDocument;
/// "BsonDocument" builds the driver's object model per item instead, as code without a raw fast path would.
/// <see cref="Shape"/>: <see cref="DocumentShape.Flat"/> is five scalar fields built in code (raw: written by the
/// project's BsonWriter); <see cref="DocumentShape.Mixed"/> is the product's own case — a ~300-byte DynamoDB item of
/// every type (nested map, list, set, binary, decimals) converted from its DynamoDB JSON by the product's converter,
/// then handed over raw, or materialized into a BsonDocument first (what a converter building the object model costs).
/// </summary>
[MemoryDiagnoser]
public class BulkInsertBenchmark
{
    private const int BatchSize = 1000;
    private const int BatchCount = 20;

    private MongodProcess _server = null!;
    private Driver.IMongoClient _client = null!;
    private int _round;

    /// <summary>The documents inserted; see the class comment.</summary>
    public enum DocumentShape { Flat, Mixed }

    /// <summary>One DynamoDB JSON item per document of an invocation (unique keys), for <see cref="DocumentShape.Mixed"/>.</summary>
    private static readonly Lazy<byte[][]> MixedItems = new(SplitItems);

    private static readonly DynamoItemConverter Converter = new(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("sk", null));

    [Params(DocumentShape.Flat, DocumentShape.Mixed)]
    public DocumentShape Shape { get; set; }

    [Params(1, 4)]
    public int ConcurrentBatches { get; set; }

    public int Batches => BatchCount;

    [GlobalSetup]
    public void Setup()
    {
        if (Shape == DocumentShape.Mixed) _ = MixedItems.Value;
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
                models.Add(new Driver.InsertOneModel<RawBsonDocument>(new RawBsonDocument(RawDocument(batch * BatchSize + i))));
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
            for (var i = 0; i < BatchSize; i++) models.Add(new Driver.InsertOneModel<BsonDocument>(Document(batch * BatchSize + i)));
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

    private byte[] RawDocument(int n) => Shape == DocumentShape.Flat ? EncodeFlat(n) : ConvertMixed(n);

    private BsonDocument Document(int n) => Shape == DocumentShape.Flat ? BuildFlat(n) : BsonSerializer.Deserialize<BsonDocument>(ConvertMixed(n));

    private static byte[] ConvertMixed(int n)
    {
        var reader = new Utf8JsonReader(MixedItems.Value[n], DynamoItemConverter.ReaderOptions);
        reader.Read();
        using var writer = new BsonWriter(512);
        Converter.WriteDocument(ref reader, writer);
        return writer.ToArray();
    }

    /// <summary>Enough generated Scan-page items for one invocation, each as its own JSON object (unique <c>sk</c>, the key).</summary>
    private static byte[][] SplitItems()
    {
        var page = ScanPageGenerator.Page(targetBytes: BatchCount * BatchSize * 600);
        var reader = new Utf8JsonReader(page, DynamoItemConverter.ReaderOptions);
        reader.Read(); // {
        reader.Read(); // "Items"
        reader.Read(); // [
        var items = new List<byte[]>(BatchCount * BatchSize);
        while (items.Count < BatchCount * BatchSize && reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            items.Add(page[start..(int)reader.BytesConsumed]);
        }
        if (items.Count < BatchCount * BatchSize) throw new InvalidOperationException($"the generated page held {items.Count} items, fewer than an invocation inserts");
        return [.. items];
    }

    private static byte[] EncodeFlat(int id)
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

    private static BsonDocument BuildFlat(int id) => new()
    {
        { "_id", id },
        { "name", $"item-{id % BatchSize}" },
        { "qty", id % 97 },
        { "price", id * 0.25 },
        { "active", id % 2 == 0 },
    };
}
