using System.Runtime.InteropServices;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace Replication.MongoAccess;

/// <summary>
/// BSON bytes as the driver's <see cref="RawBsonDocument"/> and back: the converter's output reaches the driver
/// without a per-field object model, and documents read back outlive the driver's pooled reply buffers.
/// </summary>
public static class RawDocuments
{
    /// <summary>A read-only view of <paramref name="bytes"/> (no copy when they are a whole array or a slice of one).</summary>
    public static RawBsonDocument From(ReadOnlyMemory<byte> bytes)
    {
        if (!MemoryMarshal.TryGetArray(bytes, out var segment) || segment.Array is null)
            return new RawBsonDocument(bytes.ToArray());
        if (segment.Offset == 0 && segment.Count == segment.Array.Length)
            return new RawBsonDocument(segment.Array);
        var buffer = new ByteArrayBuffer(segment.Array, segment.Offset + segment.Count, isReadOnly: true);
        return new RawBsonDocument(buffer.GetSlice(segment.Offset, segment.Count));
    }

    /// <summary>The document's bytes; a copy, so it outlives the driver's (pooled) reply buffer.</summary>
    public static byte[] ToBytes(RawBsonDocument document)
    {
        var slice = document.Slice;
        var bytes = new byte[slice.Length];
        slice.GetBytes(0, bytes, 0, bytes.Length);
        return bytes;
    }
}
