using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace Replication.Testing;

/// <summary>
/// BSON bytes (what the converter writes, what the target holds) read into MongoDB.Bson's object model, and values
/// rendered as Extended JSON, for tests and comparisons that check the bytes independently of the code that wrote them.
/// </summary>
public static class BsonBytes
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    /// <summary>A document the caller owns, read (and checked) by MongoDB.Bson's binary reader.</summary>
    public static BsonDocument ToDocument(ReadOnlySpan<byte> bytes) => BsonSerializer.Deserialize<BsonDocument>(bytes.ToArray());

    public static string ToCanonicalJson(BsonDocument document) => document.ToJson(Canonical);

    public static string ToRelaxedJson(BsonDocument document) => document.ToJson(Relaxed);

    /// <summary>
    /// The value as canonical Extended JSON: equal text means the same BSON type and the same encoded value (NaN equals
    /// NaN, -0.0 differs from 0.0, Decimal128 keeps its digits as written), which MongoDB.Bson's Equals does not promise.
    /// </summary>
    public static string ExactText(BsonValue value) => ToCanonicalJson(new BsonDocument("v", value));
}
