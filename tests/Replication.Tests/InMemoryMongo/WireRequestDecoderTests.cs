using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.InMemoryMongo;

public sealed class WireRequestDecoderTests
{
    [Fact]
    public void A_document_sequence_is_decoded_in_place_and_keeps_repeated_field_names()
    {
        // MongoDB stores what it is sent; a repeated name stays repeated (MongoDB.Bson rejects it unless told not to).
        var body = Bytes(w =>
        {
            w.Write(0u); // flags
            w.Write((byte)0);
            w.Write(new BsonDocument { { "insert", "c" }, { "$db", "d" } }.ToBson());
            w.Write((byte)1);
            var sequence = Bytes(s =>
            {
                s.Write(Encoding.UTF8.GetBytes("documents\0"));
                s.Write(Document(("_id", 1), ("a", 1)));
                s.Write(Document(("_id", 2), ("a", 1), ("a", 2)));
            });
            w.Write(sequence.Length + 4);
            w.Write(sequence);
        });
        // The body sits inside a larger buffer, as it does in the connection's pooled array.
        var buffer = new byte[body.Length + 7];
        body.CopyTo(buffer, 3);
        var header = new MessageHeader(MessageHeader.Size + body.Length, 1, 0, WireOpCode.Msg);

        var request = WireRequestDecoder.Decode(header, new ArraySegment<byte>(buffer, 3, body.Length));

        Assert.Equal("insert", request.CommandName);
        var documents = request.Sequences!["documents"];
        Assert.Equal(2, documents.Count);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", 1 } }, documents[0]);
        Assert.Equal(["_id", "a", "a"], documents[1].Names);
        Assert.Equal([new BsonInt32(2), new BsonInt32(1), new BsonInt32(2)], documents[1].Values);
    }

    private static byte[] Document(params (string Name, int Value)[] fields)
    {
        var elements = Bytes(w =>
        {
            foreach (var (name, value) in fields)
            {
                w.Write((byte)0x10);
                w.Write(Encoding.UTF8.GetBytes(name + "\0"));
                w.Write(value);
            }
        });
        var document = new byte[4 + elements.Length + 1];
        BinaryPrimitives.WriteInt32LittleEndian(document, document.Length);
        elements.CopyTo(document, 4);
        return document;
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream)) write(writer);
        return stream.ToArray();
    }
}
