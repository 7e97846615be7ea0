using Replication.Bson;

namespace Replication.Tests.Bson;

public class BsonValidatorTests
{
    private static byte[] Sample()
    {
        using var w = new BsonWriter();
        w.WriteStartDocument();
        w.WriteName("s"); w.WriteString("héllo");
        w.WriteName("d");
        w.WriteStartDocument();
        w.WriteName("b"); w.WriteBoolean(true);
        w.WriteEndDocument();
        w.WriteName("old"); w.WriteBinary([1, 2, 3], 0x02);
        w.WriteName("js"); w.WriteJavaScriptWithScope("x + 1", new BsonDocument { { "x", 1 } }.ToBytes());
        w.WriteEndDocument();
        return w.ToArray();
    }

    [Fact]
    public void A_well_formed_document_with_every_nested_shape_is_accepted()
    {
        Assert.True(BsonValidator.TryValidate(Sample(), out var error), error?.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_document_are_rejected()
    {
        var bytes = Sample().Concat(new byte[] { 0 }).ToArray();
        var e = Assert.Throws<BsonFormatException>(() => BsonValidator.Validate(bytes));
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Invalid_UTF8_in_a_nested_field_name_is_reported_at_its_offset()
    {
        var bytes = Sample();
        var nameAt = Array.IndexOf(bytes, (byte)'b'); // the only 'b' is the nested boolean's name
        bytes[nameAt] = 0xFF;
        var e = Assert.Throws<BsonFormatException>(() => BsonValidator.Validate(bytes));
        Assert.Equal(nameAt, e.Offset);
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void A_boolean_other_than_0_or_1_is_rejected()
    {
        var bytes = Sample();
        var valueAt = Array.IndexOf(bytes, (byte)'b') + 2;
        bytes[valueAt] = 2;
        var e = Assert.Throws<BsonFormatException>(() => BsonValidator.Validate(bytes));
        Assert.Equal(valueAt, e.Offset);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_rejected_rather_than_overflowing_the_stack()
    {
        // Built by hand because the writer itself stops at 200 levels.
        var bytes = Nest(BsonValidator.MaxDepth + 5);
        Assert.False(BsonValidator.TryValidate(bytes, out var error));
        Assert.Contains("nested deeper", error.Message);
        Assert.True(BsonValidator.TryValidate(Nest(100)));
    }

    // { a: { a: { ... {} } } } with the given number of embedded levels.
    private static byte[] Nest(int levels)
    {
        byte[] inner = [5, 0, 0, 0, 0];
        for (var i = 0; i < levels; i++)
        {
            var length = inner.Length + 8; // length + type + "a\0" + inner + terminator
            var next = new byte[length];
            BitConverter.TryWriteBytes(next, length);
            next[4] = (byte)BsonType.Document;
            next[5] = (byte)'a';
            inner.CopyTo(next, 7);
            inner = next;
        }
        return inner;
    }
}
