using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Replication.Bson;

namespace Replication.Bench.Bson;

/// <summary>
/// The BSON codec on one ~300-byte document mixing the common types: encoding it with <see cref="BsonWriter"/>,
/// reading every field back, validating it, and converting it to and from relaxed Extended JSON.
/// </summary>
[MemoryDiagnoser]
public class BsonCodecBenchmarks
{
    private static readonly ObjectId Id = ObjectId.Parse("57e193d7a9cc81b4027498b5");
    private static readonly Decimal128 Price = Decimal128.Parse("1234.5678");
    private static readonly byte[] Payload = [0xA3, 0x4C, 0x38, 0xF7, 0xC3, 0xAB, 0xED, 0xC8, 0xA3, 0x78, 0x14, 0xA9, 0x92, 0xAB, 0x8D, 0xB6];

    private readonly BsonWriter _writer = new(512);
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private Utf8JsonWriter _jsonWriter = null!;
    private byte[] _document = [];
    private byte[] _relaxedJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _document = Encode();
        _jsonWriter = new Utf8JsonWriter(_json);
        ExtendedJson.Write(_document, _jsonWriter, ExtendedJsonMode.Relaxed);
        _jsonWriter.Flush();
        _relaxedJson = _json.WrittenSpan.ToArray();
        if (_document.Length is < 250 or > 350) throw new InvalidOperationException($"the sample document is {_document.Length} bytes, not ~300");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _jsonWriter.Dispose();
        _writer.Dispose();
    }

    [Benchmark]
    public int EncodeDocument()
    {
        _writer.Reset();
        WriteSample(_writer);
        return _writer.Length;
    }

    [Benchmark]
    public long DecodeAndIterate() => Sum(new BsonDocumentReader(_document));

    [Benchmark]
    public bool Validate() => BsonValidator.TryValidate(_document);

    [Benchmark]
    public int ToRelaxedExtendedJson()
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        ExtendedJson.Write(_document, _jsonWriter, ExtendedJsonMode.Relaxed);
        _jsonWriter.Flush();
        return _json.WrittenCount;
    }

    [Benchmark]
    public int ToCanonicalExtendedJson()
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        ExtendedJson.Write(_document, _jsonWriter, ExtendedJsonMode.Canonical);
        _jsonWriter.Flush();
        return _json.WrittenCount;
    }

    [Benchmark]
    public int ParseRelaxedExtendedJson()
    {
        _writer.Reset();
        ExtendedJson.Parse(_relaxedJson, _writer);
        return _writer.Length;
    }

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
}
