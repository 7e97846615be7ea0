using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Replication.Coordinator.Verification;

/// <summary>
/// The fields that identify a document on both sides: <c>_id</c>, or the table's key attributes when
/// <c>convert.key = fields</c> leaves <c>_id</c> to MongoDB. A key is the BSON of a small document holding just those
/// fields, built the same way from either side, so equal keys have equal bytes; it doubles as the target's filter.
/// </summary>
internal sealed class KeyShape
{
    private readonly string[] _fields;

    public KeyShape(params string[] fields) => _fields = fields;

    public static KeyShape Id { get; } = new("_id");

    /// <summary>True when <c>_id</c> is not part of the key, so the target's own <c>_id</c> is not compared.</summary>
    public bool IgnoresTargetId => !_fields.Contains("_id");

    /// <summary>The key of <paramref name="document"/>, or null when it lacks a key field.</summary>
    public byte[]? KeyOf(RawBsonDocument document)
    {
        var key = new BsonDocument();
        foreach (var field in _fields)
        {
            if (!document.TryGetValue(field, out var value)) return null;
            key.Add(field, value);
        }
        return key.ToBson();
    }

    public BsonDocument Projection()
    {
        var projection = new BsonDocument();
        foreach (var field in _fields) projection.Add(field, 1);
        if (IgnoresTargetId) projection.Add("_id", 0);
        return projection;
    }

    /// <summary>The filter that finds the documents of <paramref name="keys"/>.</summary>
    public BsonDocument FilterFor(IReadOnlyCollection<byte[]> keys)
    {
        if (_fields.Length == 1)
            return new BsonDocument(_fields[0], new BsonDocument("$in", new BsonArray(keys.Select(k => Parse(k)[0]))));
        return new BsonDocument("$or", new BsonArray(keys.Select(Parse)));
    }

    /// <summary>The key as relaxed Extended JSON, e.g. <c>{ "_id" : "order-7" }</c>.</summary>
    public static string Describe(byte[] key) => Parse(key).ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.RelaxedExtendedJson });

    private static BsonDocument Parse(byte[] key) => BsonSerializer.Deserialize<BsonDocument>(key);
}

internal static class RawDocumentBytes
{
    /// <summary>A copy of the document's BSON, valid after the document (and the driver's buffer) is disposed.</summary>
    public static byte[] Of(RawBsonDocument document)
    {
        var slice = document.Slice;
        var bytes = new byte[slice.Length];
        slice.GetBytes(0, bytes, 0, slice.Length);
        return bytes;
    }
}
