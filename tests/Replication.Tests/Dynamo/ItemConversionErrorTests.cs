using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Testing;
using BsonWriter = Replication.Bson.BsonWriter;
using Replication.Dynamo.Conversion;
using static Replication.Tests.Dynamo.ConversionHarness;

namespace Replication.Tests.Dynamo;

public class ItemConversionErrorTests
{
    [Fact]
    public void Unknown_type_descriptor_names_the_item_and_the_nested_attribute()
    {
        var ex = Failure("""{"pk":{"S":"a"},"sk":{"N":"5"},"doc":{"M":{"list":{"L":[{"S":"ok"},{"X":"bad"}]}}}}""", key: Composite);
        Assert.Equal("pk=a, sk=5", ex.ItemKey);
        Assert.Equal("doc.list[1]", ex.AttributePath);
        Assert.Contains("unknown type descriptor \"X\"", ex.Message);
        Assert.Contains("pk=a, sk=5", ex.Message);
        Assert.Contains("doc.list[1]", ex.Message);
    }

    [Theory]
    [InlineData("""{"id":{"S":"k"},"a":{"S":5}}""", "a", "must be a string")]
    [InlineData("""{"id":{"S":"k"},"a":{"BOOL":"true"}}""", "a", "must be true or false")]
    [InlineData("""{"id":{"S":"k"},"a":{"M":[]}}""", "a", "must be an object")]
    [InlineData("""{"id":{"S":"k"},"a":{"L":{}}}""", "a", "must be an array")]
    [InlineData("""{"id":{"S":"k"},"a":{"SS":"x"}}""", "a", "must be an array of strings")]
    [InlineData("""{"id":{"S":"k"},"a":{"NS":[1]}}""", "a[0]", "must be a string holding the number")]
    [InlineData("""{"id":{"S":"k"},"a":{"B":"not base64!"}}""", "a", "not valid base64")]
    [InlineData("""{"id":{"S":"k"},"a":"plain"}""", "a", "must be an object like")]
    [InlineData("""{"id":{"S":"k"},"a":{}}""", "a", "no type descriptor")]
    [InlineData("""{"id":{"S":"k"},"a":{"S":"x","N":"1"}}""", "a", "more than one type descriptor")]
    [InlineData("""{"id":{"S":"k"},"m":{"M":{"x":{"S":"1"},"y":{"Q":"2"}}}}""", "m.y", "unknown type descriptor")]
    public void Wrong_tokens_are_rejected_with_the_attribute_path(string json, string path, string problem)
    {
        foreach (var mode in new[] { ConvertMode.Typed, ConvertMode.Raw, ConvertMode.Double })
        {
            var ex = Failure(json, mode);
            Assert.Equal("id=k", ex.ItemKey);
            Assert.Equal(path, ex.AttributePath);
            Assert.Contains(problem, ex.Message);
        }
    }

    [Fact]
    public void Attribute_name_with_nul_is_rejected_by_name()
    {
        var ex = Failure("""{"id":{"S":"k"},"m":{"M":{"bad\u0000name":{"S":"x"}}}}""");
        Assert.Equal("m.bad\\u0000name", ex.AttributePath);
        Assert.Contains("NUL", ex.Message);
        Assert.Equal("id=k", ex.ItemKey);
    }

    [Fact]
    public void Lone_surrogate_escape_is_rejected_by_name()
    {
        var ex = Failure("""{"id":{"S":"k"},"s":{"S":"a\ud800b"}}""");
        Assert.Equal("s", ex.AttributePath);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_rejected_by_name()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":{"S":"k"},"s":{"S":"a?b"}}""");
        json[Array.LastIndexOf(json, (byte)'?')] = 0xFF;
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Fields, HashOnly);
        var reader = new Utf8JsonReader(json);
        reader.Read();
        using var writer = new BsonWriter();
        ItemConversionException? ex = null;
        try { converter.WriteDocument(ref reader, writer); }
        catch (ItemConversionException e) { ex = e; }
        Assert.NotNull(ex);
        Assert.Equal("s", ex.AttributePath);
    }

    [Fact]
    public void Malformed_json_is_reported_as_such_with_the_attribute_reached()
    {
        var ex = Failure("""{"id":{"S":"k"},"a":{"M":{"x":{"S":"v"} "y":{"S":"w"}}}}""");
        Assert.Contains("malformed JSON", ex.Message);
        Assert.Equal("a.x", ex.AttributePath);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);

        // Broken before the key, so the id-mode scan-ahead is what trips on it.
        var early = Failure("""{"a":{"L":[{"N":"1"},]},"id":{"S":"k"}}""", identity: IdentityMode.Id);
        Assert.Contains("malformed JSON", early.Message);
        Assert.Equal("a[0]", early.AttributePath);
        Assert.Null(early.ItemKey);
    }

    [Fact]
    public void Item_that_is_not_an_object_is_rejected()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, HashOnly);
        var json = "[1]"u8.ToArray();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        using var writer = new BsonWriter();
        ItemConversionException? ex = null;
        try { converter.WriteDocument(ref reader, writer); }
        catch (ItemConversionException e) { ex = e; }
        Assert.NotNull(ex);
        Assert.Contains("an item must be a JSON object", ex.Message);
        Assert.Equal(0, writer.Length);
    }

    [Fact]
    public void Truncated_item_is_reported_not_silently_cut()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Fields, HashOnly);
        var json = """{"id":{"S":"k"},"a":{"L":[{"N":"1"},"""u8.ToArray();
        var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
        reader.Read();
        using var writer = new BsonWriter();
        ItemConversionException? ex = null;
        try { converter.WriteDocument(ref reader, writer); }
        catch (ItemConversionException e) { ex = e; }
        Assert.NotNull(ex);
        Assert.Contains("the whole item must be in the reader's buffer", ex.Message);
        Assert.Equal(0, writer.Length);
    }

    [Theory]
    [InlineData(IdentityMode.Id)]
    [InlineData(IdentityMode.Fields)]
    public void Missing_key_attribute_is_named(IdentityMode identity)
    {
        var ex = Failure("""{"pk":{"S":"a"},"v":{"N":"1"}}""", identity: identity, key: Composite);
        Assert.Equal("sk", ex.AttributePath);
        Assert.Equal("pk=a, sk=(missing)", ex.ItemKey);
        Assert.Contains("key attribute is missing", ex.Message);

        var empty = Failure("{}", identity: identity);
        Assert.Equal("id", empty.AttributePath);
    }

    [Theory]
    [InlineData(IdentityMode.Id, ConvertMode.Typed)]
    [InlineData(IdentityMode.Fields, ConvertMode.Typed)]
    [InlineData(IdentityMode.Fields, ConvertMode.Raw)]
    [InlineData(IdentityMode.Id, ConvertMode.Double)]
    public void Key_attribute_that_is_not_a_scalar_is_named(IdentityMode identity, ConvertMode mode)
    {
        var ex = Failure("""{"v":{"N":"1"},"id":{"L":[{"S":"a"}]}}""", mode, identity);
        Assert.Equal("id", ex.AttributePath);
        Assert.Contains("must be of type S, N or B, found L", ex.Message);
    }

    [Fact]
    public void Key_filter_errors_name_the_key()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, Composite);
        var ex = Assert.Throws<ItemConversionException>(() => Filter("""{"pk":{"S":"a"}}""", converter));
        Assert.Equal("sk", ex.AttributePath);
        var bad = Assert.Throws<ItemConversionException>(() => Filter("""{"pk":{"S":"a"},"sk":{"N":"x1"}}""", converter));
        Assert.Equal("sk", bad.AttributePath);
        Assert.Equal("pk=a, sk=x1", bad.ItemKey);
    }

    [Fact]
    public void Failed_item_leaves_an_empty_writer_empty_and_the_next_item_converts()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, HashOnly);
        using var writer = new BsonWriter();
        var bad = Encoding.UTF8.GetBytes("""{"id":{"S":"a"},"x":{"M":{"y":{"Z":1}}}}""");
        var reader = new Utf8JsonReader(bad);
        reader.Read();
        ItemConversionException? ex = null;
        try { converter.WriteDocument(ref reader, writer); }
        catch (ItemConversionException e) { ex = e; }
        Assert.NotNull(ex);
        Assert.Equal(0, writer.Length);
        Assert.Equal(0, writer.Depth);

        var good = Encoding.UTF8.GetBytes("""{"id":{"S":"b"}}""");
        reader = new Utf8JsonReader(good);
        reader.Read();
        converter.WriteDocument(ref reader, writer);
        BsonAssert.Equal(new BsonDocument { { "_id", "b" }, { "id", "b" } }, BsonBytes.ToDocument(writer.WrittenSpan));
    }

    [Fact]
    public void Attribute_named_id_that_is_not_the_whole_key_collides_in_id_mode()
    {
        var ex = Failure("""{"id":{"S":"k"},"_id":{"S":"other"}}""", identity: IdentityMode.Id);
        Assert.Equal("_id", ex.AttributePath);
        Assert.Contains("collides", ex.Message);
        var composite = Failure("""{"_id":{"S":"k"},"sk":{"N":"1"}}""", identity: IdentityMode.Id, key: new TableKeySchema("_id", "sk"));
        Assert.Equal("_id", composite.AttributePath);
        // In fields mode the attribute is simply the document's _id.
        BsonAssert.Equal(new BsonDocument { { "id", "k" }, { "_id", "other" } }, Convert("""{"id":{"S":"k"},"_id":{"S":"other"}}""", identity: IdentityMode.Fields));
    }

    [Fact]
    public void Key_schema_is_checked_when_the_converter_is_made()
    {
        Assert.Contains("both named 'a'", Assert.Throws<ArgumentException>(() => new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("a", "a"))).Message);
        Assert.Throws<ArgumentException>(() => new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("", null)));
        Assert.Throws<ArgumentException>(() => new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("a", "")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynamoItemConverter((ConvertMode)9, IdentityMode.Id, HashOnly));
    }
}
