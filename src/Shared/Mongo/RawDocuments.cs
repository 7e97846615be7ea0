using System.Runtime.InteropServices;
using MongoDB.Bson.IO;
using Driver = MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>
/// Where BSON bytes cross into MongoDB.Driver and back. Documents go in as <see cref="Driver.RawBsonDocument"/> views of
/// the caller's bytes (no copy, no per-field object model), and come back as byte arrays.
/// </summary>
internal static class RawDocuments
{
    public static Driver.RawBsonDocument From(ReadOnlyMemory<byte> bytes)
    {
        if (!MemoryMarshal.TryGetArray(bytes, out var segment) || segment.Array is null)
            return new Driver.RawBsonDocument(bytes.ToArray());
        if (segment.Offset == 0 && segment.Count == segment.Array.Length)
            return new Driver.RawBsonDocument(segment.Array);
        var buffer = new ByteArrayBuffer(segment.Array, segment.Offset + segment.Count, isReadOnly: true);
        return new Driver.RawBsonDocument(buffer.GetSlice(segment.Offset, segment.Count));
    }


    /// <summary>The document's bytes; a copy, so it outlives the driver's (pooled) reply buffer.</summary>
    public static byte[] ToBytes(Driver.RawBsonDocument document)
    {
        var slice = document.Slice;
        var bytes = new byte[slice.Length];
        slice.GetBytes(0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static byte[] ToBytes(Driver.BsonDocument document) =>
        document is Driver.RawBsonDocument raw ? ToBytes(raw) : Driver.BsonExtensionMethods.ToBson(document);

    /// <summary>A document the caller owns: materialized from the bytes, so it outlives the driver's (pooled) reply buffer.</summary>
    public static Driver.BsonDocument ToDocument(Driver.BsonDocument document) =>
        Driver.Serialization.BsonSerializer.Deserialize<Driver.BsonDocument>(ToBytes(document));

    /// <summary>A document the caller owns, read from BSON bytes.</summary>
    public static Driver.BsonDocument Parse(byte[] bytes) => Driver.Serialization.BsonSerializer.Deserialize<Driver.BsonDocument>(bytes);

    public static Driver.BsonDocument Parse(ReadOnlySpan<byte> bytes) => Parse(bytes.ToArray());
}
