using Replication.Bson;

namespace Replication.Tests.Bson;

public class BsonWriterReaderTests
{
    [Fact]
    public void Nested_documents_and_arrays_round_trip_through_reader_and_value_model()
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

        var model = BsonDocument.Parse(w.WrittenSpan);
        Assert.Equal(w.ToArray(), model.ToBytes());
        Assert.Equal(new BsonArray { 1, new BsonDocument { { "x", BsonNull.Value } } }, model["a"]);
    }

    [Fact]
    public void Truncated_document_is_rejected_with_its_offset()
    {
        var bytes = new BsonDocument { { "a", "text" } }.ToBytes();
        bytes[0] = (byte)(bytes.Length + 3);
        var ex = Assert.Throws<BsonFormatException>(() => new BsonDocumentReader(bytes));
        Assert.Equal(0, ex.Offset);
    }
}
