using MongoDB.Bson;
using Replication.Bson;
using Replication.Testing;
using BsonDocumentReader = Replication.Bson.BsonDocumentReader;
using Decimal128 = Replication.Bson.Decimal128;

namespace Replication.Tests.Bson;

public class BsonWriterReaderTests
{
    [Fact]
    public void Nested_documents_and_arrays_round_trip_through_our_reader_and_MongoDB_Bson()
    {
        using var w = new BsonWriter();
        w.WriteStartDocument();
        w.WriteName("s"); w.WriteString("héllo");
        w.WriteName("n"); w.WriteInt64(long.MaxValue);
        w.WriteName("a"); w.WriteStartArray(); w.WriteInt32(1); w.WriteStartDocument(); w.WriteName("x"); w.WriteNull(); w.WriteEndDocument(); w.WriteEndArray();
        w.WriteName("d"); w.WriteDecimal128(new Decimal128(0x3040000000000000, 7));
        w.WriteEndDocument();

        var reader = new BsonDocumentReader(w.WrittenSpan);
        Assert.Equal("héllo", reader["s"].AsString);
        Assert.Equal(long.MaxValue, reader["n"].AsInt64);
        var names = new List<string>();
        foreach (var e in reader["a"].AsArray) names.Add(e.Name);
        Assert.Equal(["0", "1"], names);

        var reference = BsonBytes.ToDocument(w.WrittenSpan);
        Assert.Equal(w.ToArray(), reference.ToBson());
        Assert.Equal(new BsonArray { 1, new BsonDocument { { "x", BsonNull.Value } } }, reference["a"]);
        Assert.Equal(MongoDB.Bson.Decimal128.Parse("7"), reference["d"].AsDecimal128);
    }

    [Fact]
    public void Truncated_document_is_rejected_with_its_offset()
    {
        var bytes = new BsonDocument { { "a", "text" } }.ToBson();
        bytes[0] = (byte)(bytes.Length + 3);
        var ex = Assert.Throws<BsonFormatException>(() => { _ = new BsonDocumentReader(bytes); });
        Assert.Equal(0, ex.Offset);
    }
}
