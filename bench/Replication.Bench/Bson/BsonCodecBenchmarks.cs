using BenchmarkDotNet.Attributes;
using MongoDB.Bson;
using JsonOutputMode = MongoDB.Bson.IO.JsonOutputMode;
using JsonWriterSettings = MongoDB.Bson.IO.JsonWriterSettings;
using MongoDB.Bson.Serialization;
using Replication.Bson;
using BsonType = Replication.Bson.BsonType;
using Decimal128 = Replication.Bson.Decimal128;

namespace Replication.Bench.Bson;

/// <summary>
/// One ~300-byte document mixing the common types, encoded and read by the project's own <see cref="BsonWriter"/> and
/// <see cref="BsonDocumentReader"/> (the DynamoDB fast path) against MongoDB.Bson doing the same through its
/// BsonDocument object model, and RawBsonDocument (what the driver is handed); plus the relaxed Extended JSON that
/// dead letters and logs now get from MongoDB.Bson.
/// </summary>
[MemoryDiagnoser]
public class BsonCodecBenchmarks
{
    private static readonly ObjectId Id = ObjectId.Parse("57e193d7a9cc81b4027498b5");
    private static readonly Decimal128 Price = Decimal128.Parse("1234.5678");
    private static readonly MongoDB.Bson.Decimal128 DriverPrice = MongoDB.Bson.Decimal128.Parse("1234.5678");
    private static readonly byte[] Payload = [0xA3, 0x4C, 0x38, 0xF7, 0xC3, 0xAB, 0xED, 0xC8, 0xA3, 0x78, 0x14, 0xA9, 0x92, 0xAB, 0x8D, 0xB6];
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    private readonly BsonWriter _writer = new(512);
    private byte[] _document = [];

    [GlobalSetup]
    public void Setup()
    {
        _document = Encode();
        if (_document.Length is < 250 or > 350) throw new InvalidOperationException($"the sample document is {_document.Length} bytes, not ~300");
        // Both encoders must produce the same bytes, or the comparison compares different work.
        if (!BuildDocument().ToBson().AsSpan().SequenceEqual(_document))
            throw new InvalidOperationException("MongoDB.Bson encodes the sample differently from BsonWriter");
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    [Benchmark(Description = "encode: BsonWriter")]
    public int EncodeDocument()
    {
        _writer.Reset();
        WriteSample(_writer);
        return _writer.Length;
    }

    [Benchmark(Description = "encode: MongoDB.Bson BsonDocument built and serialized")]
    public int EncodeDocumentWithMongoDbBson() => BuildDocument().ToBson().Length;

    [Benchmark(Description = "decode and touch every value: BsonDocumentReader")]
    public long DecodeAndIterate() => Sum(new BsonDocumentReader(_document));

    [Benchmark(Description = "decode and touch every value: MongoDB.Bson BsonDocument")]
    public long DecodeAndIterateWithMongoDbBson() => Sum(BsonSerializer.Deserialize<BsonDocument>(_document));

    [Benchmark(Description = "decode and touch every value: MongoDB.Bson RawBsonDocument")]
    public long DecodeAndIterateRawBsonDocument()
    {
        using var raw = new RawBsonDocument(_document);
        return Sum(raw);
    }

    [Benchmark(Description = "relaxed Extended JSON: MongoDB.Bson")]
    public int ToRelaxedExtendedJson() => BsonSerializer.Deserialize<BsonDocument>(_document).ToJson(Relaxed).Length;

    private static byte[] Encode()
    {
        using var w = new BsonWriter();
        WriteSample(w);
        return w.ToArray();
    }

    private static void WriteSample(BsonWriter w)
    {
        w.WriteStartDocument();
        w.WriteName("_id"u8); w.WriteObjectId(Id);
        w.WriteName("name"u8); w.WriteString("Ada Lovelace");
        w.WriteName("age"u8); w.WriteInt32(36);
        w.WriteName("visits"u8); w.WriteInt64(1_234_567_890_123);
        w.WriteName("score"u8); w.WriteDouble(98.625);
        w.WriteName("active"u8); w.WriteBoolean(true);
        w.WriteName("created"u8); w.WriteDateTime(1_356_351_330_501);
        w.WriteName("price"u8); w.WriteDecimal128(Price);
        w.WriteName("avatar"u8); w.WriteBinary(Payload, 0x04);
        w.WriteName("manager"u8); w.WriteNull();
        w.WriteName("address"u8);
        w.WriteStartDocument();
        w.WriteName("street"u8); w.WriteString("12 St James's Square");
        w.WriteName("city"u8); w.WriteString("London");
        w.WriteName("zip"u8); w.WriteString("SW1Y 4JH");
        w.WriteEndDocument();
        w.WriteName("tags"u8);
        w.WriteStartArray();
        w.WriteString("math"); w.WriteString("engines"); w.WriteString("poetry");
        w.WriteEndArray();
        w.WriteEndDocument();
    }

    private static BsonDocument BuildDocument() => new()
    {
        { "_id", Id },
        { "name", "Ada Lovelace" },
        { "age", 36 },
        { "visits", 1_234_567_890_123L },
        { "score", 98.625 },
        { "active", true },
        { "created", new BsonDateTime(1_356_351_330_501) },
        { "price", DriverPrice },
        { "avatar", new BsonBinaryData(Payload, BsonBinarySubType.UuidStandard) },
        { "manager", BsonNull.Value },
        { "address", new BsonDocument { { "street", "12 St James's Square" }, { "city", "London" }, { "zip", "SW1Y 4JH" } } },
        { "tags", new BsonArray { "math", "engines", "poetry" } },
    };

    // Touches every value so the reader does the work a consumer would.
    private static long Sum(BsonDocumentReader reader)
    {
        long total = 0;
        foreach (var e in reader)
        {
            total += e.NameUtf8.Length;
            total += e.Type switch
            {
                BsonType.Int32 => e.AsInt32,
                BsonType.Int64 => e.AsInt64,
                BsonType.Double => (long)e.AsDouble,
                BsonType.Boolean => e.AsBoolean ? 1 : 0,
                BsonType.DateTime => e.AsDateTime,
                BsonType.String => e.AsStringUtf8.Length,
                BsonType.ObjectId => e.AsObjectId.GetHashCode(),
                BsonType.Decimal128 => (long)e.AsDecimal128.Low,
                BsonType.Binary => e.AsBinary(out _).Length,
                BsonType.Document or BsonType.Array => Sum(e.AsDocument),
                _ => 0,
            };
        }
        return total;
    }

    // The same work over MongoDB.Bson's object model (string lengths in UTF-8 bytes, as the raw reader counts them).
    private static long Sum(BsonDocument document)
    {
        long total = 0;
        foreach (var e in document)
        {
            total += System.Text.Encoding.UTF8.GetByteCount(e.Name);
            total += Value(e.Value);
        }
        return total;
    }

    private static long Value(BsonValue value) => value switch
    {
        BsonInt32 i => i.Value,
        BsonInt64 l => l.Value,
        BsonDouble d => (long)d.Value,
        BsonBoolean b => b.Value ? 1 : 0,
        BsonDateTime t => t.MillisecondsSinceEpoch,
        BsonString s => System.Text.Encoding.UTF8.GetByteCount(s.Value),
        BsonObjectId o => o.Value.GetHashCode(),
        BsonDecimal128 m => (long)m.Value.GetIEEELowBits(),
        BsonBinaryData b => b.Bytes.Length,
        BsonDocument d => Sum(d),
        BsonArray a => a.Sum(Value) + a.Count, // array indexes "0".."9" are one UTF-8 byte each
        _ => 0,
    };
}
