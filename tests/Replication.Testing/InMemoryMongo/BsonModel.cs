using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace Replication.Testing.InMemoryMongo;

/// <summary>
/// The server's bridge to MongoDB.Bson: reading and writing whole documents at the wire, and the few accessors the
/// engine needs that the driver's object model spells differently.
/// </summary>
public static class BsonModel
{
    // The server itself enforces MongoDB's limits (16 MiB documents, 48 MB messages) and answers with MongoDB's
    // errors, so the codec must not cut anything short with its own defaults.
    private static readonly BsonBinaryReaderSettings ReaderSettings = new() { MaxDocumentSize = int.MaxValue };
    private static readonly BsonBinaryWriterSettings WriterSettings = new() { MaxDocumentSize = int.MaxValue };

    /// <summary>The value named <paramref name="name"/>, or null when the document has no such field.</summary>
    public static BsonValue? GetOrNull(this BsonDocument document, string name) =>
        document.TryGetValue(name, out var value) ? value : null;

    public static void Deconstruct(this BsonElement element, out string name, out BsonValue value)
    {
        name = element.Name;
        value = element.Value;
    }

    /// <summary>Decodes the BSON document that fills <paramref name="bytes"/>, reading the array in place.</summary>
    public static BsonDocument ReadDocument(ArraySegment<byte> bytes)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan());
        if (length != bytes.Count) throw new FormatException($"BSON document length {length} does not match its {bytes.Count} bytes");
        var end = bytes.Offset + bytes.Count;
        using var stream = new ByteBufferStream(new ByteArrayBuffer(bytes.Array!, end, isReadOnly: true)) { Position = bytes.Offset };
        using var reader = new BsonBinaryReader(stream, ReaderSettings);
        // MongoDB stores a repeated field name as sent, and so did this server before MongoDB.Bson, which rejects it by default.
        var context = BsonDeserializationContext.CreateRoot(reader, builder => builder.AllowDuplicateElementNames = true);
        var document = BsonDocumentSerializer.Instance.Deserialize(context);
        if (stream.Position != end) throw new FormatException("BSON document ends before its stated length");
        return document;
    }

    /// <summary>Encodes <paramref name="document"/> as BSON bytes.</summary>
    public static byte[] WriteDocument(BsonDocument document)
    {
        using var stream = new MemoryStream(256);
        using (var writer = new BsonBinaryWriter(stream, WriterSettings))
            BsonDocumentSerializer.Instance.Serialize(BsonSerializationContext.CreateRoot(writer), document);
        return stream.ToArray();
    }
}
