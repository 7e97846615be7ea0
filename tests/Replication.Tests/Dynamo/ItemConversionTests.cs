using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Testing;
using BsonWriter = Replication.Bson.BsonWriter;
using BsonDocumentReader = Replication.Bson.BsonDocumentReader;
using BsonType = Replication.Bson.BsonType;
using Replication.Dynamo.Conversion;
using static Replication.Tests.Dynamo.ConversionHarness;

namespace Replication.Tests.Dynamo;

public class ItemConversionTests
{
    // One attribute of every DynamoDB type, nested M and L included ("AAEC/w==" is 00 01 02 FF).
    private const string EveryType = """
        {"id":{"S":"k1"},
         "s":{"S":"héllo \"q\" \u00e9\n"},
         "n":{"N":"42"},
         "f":{"N":"1.5"},
         "b":{"B":"AAEC/w=="},
         "t":{"BOOL":true},
         "no":{"BOOL":false},
         "z":{"NULL":true},
         "m":{"M":{"inner":{"S":"x"},"deep":{"M":{"k":{"N":"-7"}}}}},
         "l":{"L":[{"S":"a"},{"N":"2"},{"L":[{"BOOL":false}]},{"M":{}}]},
         "ss":{"SS":["x","y"]},
         "ns":{"NS":["1","2.5","12345678901"]},
         "bs":{"BS":["AQ==","Ag=="]},
         "el":{"L":[]},
         "em":{"M":{}},
         "es":{"S":""}}
        """;

    [Fact]
    public void Typed_mode_maps_every_type_and_nesting()
    {
        var expected = new BsonDocument
        {
            { "id", "k1" },
            { "s", "héllo \"q\" é\n" },
            { "n", 42 },
            { "f", Dec(false, 15, -1) },
            { "b", new BsonBinaryData([0, 1, 2, 0xFF]) },
            { "t", true },
            { "no", false },
            { "z", BsonNull.Value },
            { "m", new BsonDocument { { "inner", "x" }, { "deep", new BsonDocument { { "k", -7 } } } } },
            { "l", new BsonArray { "a", 2, new BsonArray { false }, new BsonDocument() } },
            { "ss", new BsonArray { "x", "y" } },
            { "ns", new BsonArray { 1, Dec(false, 25, -1), 12345678901L } }, // sets are sorted by value
            { "bs", new BsonArray { new BsonBinaryData([1]), new BsonBinaryData([2]) } },
            { "el", new BsonArray() },
            { "em", new BsonDocument() },
            { "es", "" },
        };
        BsonAssert.Equal(expected, Convert(EveryType, ConvertMode.Typed));
    }

    [Fact]
    public void Double_mode_maps_numbers_to_doubles_everywhere_but_the_key()
    {
        var doc = Convert("""{"id":{"N":"5"},"f":{"N":"1.5"},"i":{"N":"42"},"ns":{"NS":["1","0.1"]},"m":{"M":{"x":{"N":"1E+2"}}},"l":{"L":[{"N":"-0"}]}}""",
            ConvertMode.Double, IdentityMode.Id);
        var expected = new BsonDocument
        {
            { "_id", 5 },
            { "id", 5 },
            { "f", 1.5 },
            { "i", 42.0 },
            { "ns", new BsonArray { 0.1, 1.0 } },
            { "m", new BsonDocument { { "x", 100.0 } } },
            { "l", new BsonArray { -0.0 } },
        };
        BsonAssert.Equal(expected, doc);
    }

    [Fact]
    public void Double_mode_maps_the_other_types_as_typed_does()
    {
        var typed = Convert(EveryType, ConvertMode.Typed);
        var asDouble = Convert(EveryType, ConvertMode.Double);
        foreach (var name in new[] { "id", "s", "b", "t", "no", "z", "bs", "el", "em", "es" })
            Assert.Equal(typed[name], asDouble[name]);
        BsonAssert.Equal(new BsonArray { 1.0, 2.5, 12345678901.0 }, asDouble["ns"]);
        BsonAssert.Equal(new BsonArray { "a", 2.0, new BsonArray { false }, new BsonDocument() }, asDouble["l"]);
    }

    [Fact]
    public void Raw_mode_keeps_the_dynamodb_shape_with_binary_decoded()
    {
        var doc = Convert(EveryType, ConvertMode.Raw);
        static BsonDocument R(string t, BsonValue v) => new() { { t, v } };
        var expected = new BsonDocument
        {
            { "id", R("S", "k1") },
            { "s", R("S", "héllo \"q\" é\n") },
            { "n", R("N", "42") },
            { "f", R("N", "1.5") },
            { "b", R("B", new BsonBinaryData([0, 1, 2, 0xFF])) },
            { "t", R("BOOL", true) },
            { "no", R("BOOL", false) },
            { "z", R("NULL", true) },
            { "m", R("M", new BsonDocument { { "inner", R("S", "x") }, { "deep", R("M", new BsonDocument { { "k", R("N", "-7") } }) } }) },
            { "l", R("L", new BsonArray { R("S", "a"), R("N", "2"), R("L", new BsonArray { R("BOOL", false) }), R("M", new BsonDocument()) }) },
            { "ss", R("SS", new BsonArray { "x", "y" }) },
            { "ns", R("NS", new BsonArray { "1", "2.5", "12345678901" }) },
            { "bs", R("BS", new BsonArray { new BsonBinaryData([1]), new BsonBinaryData([2]) }) },
            { "el", R("L", new BsonArray()) },
            { "em", R("M", new BsonDocument()) },
            { "es", R("S", "") },
        };
        BsonAssert.Equal(expected, doc);
    }

    [Fact]
    public void Empty_binary_and_escaped_names_and_values_convert()
    {
        var doc = Convert("""{"id":{"S":"k"},"na\u006de":{"S":"tab\there \ud83d\ude00"},"b":{"B":""},"sl":{"B":"AQ\/w"}}""");
        BsonAssert.Equal(new BsonDocument { { "id", "k" }, { "name", "tab\there 😀" }, { "b", new BsonBinaryData([]) }, { "sl", new BsonBinaryData([0x01, 0x0F, 0xF0]) } }, doc);
    }

    [Fact]
    public void Hash_key_becomes_the_id_first_and_stays_a_field()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, HashOnly);
        var bytes = ConvertToBytes("""{"a":{"S":"x"},"id":{"N":"123"},"z":{"BOOL":true}}""", converter);
        var doc = BsonBytes.ToDocument(bytes);
        BsonAssert.Equal(new BsonDocument { { "_id", 123 }, { "a", "x" }, { "id", 123 }, { "z", true } }, doc);
        Assert.Equal("_id", new BsonDocumentReader(bytes).First().Name);
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    public void Hash_key_named_id_is_written_once_as_the_id(ConvertMode mode)
    {
        var converter = new DynamoItemConverter(mode, IdentityMode.Id, new TableKeySchema("_id", null));
        var doc = Convert("""{"v":{"BOOL":true},"_id":{"N":"42"}}""", converter);
        Assert.Equal(2, doc.ElementCount);
        BsonAssert.Equal(new BsonInt32(42), doc["_id"]);
        BsonAssert.Equal(new BsonDocument { { "_id", 42 } }, Filter("""{"_id":{"N":"42"}}""", converter));
    }

    [Fact]
    public void Composite_key_becomes_an_id_document_in_schema_order()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, Composite);
        var doc = Convert("""{"sk":{"N":"2.50"},"v":{"S":"x"},"pk":{"B":"AQI="}}""", converter);
        var id = new BsonDocument { { "pk", new BsonBinaryData([1, 2]) }, { "sk", Dec(false, 250, -2) } };
        BsonAssert.Equal(new BsonDocument { { "_id", id }, { "sk", Dec(false, 250, -2) }, { "v", "x" }, { "pk", new BsonBinaryData([1, 2]) } }, doc);
        Assert.Equal(["pk", "sk"], ((BsonDocument)doc["_id"]!).Names);
    }

    [Fact]
    public void Fields_identity_leaves_id_to_mongodb()
    {
        var doc = Convert("""{"sk":{"S":"b"},"pk":{"S":"a"}}""", ConvertMode.Typed, IdentityMode.Fields, Composite);
        BsonAssert.Equal(new BsonDocument { { "sk", "b" }, { "pk", "a" } }, doc);
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Double)]
    [InlineData(ConvertMode.Raw)]
    public void Key_filter_in_id_mode_equals_the_id_of_the_document(ConvertMode mode)
    {
        foreach (var (key, item, keys) in new[]
        {
            (HashOnly, """{"v":{"N":"1.25"},"id":{"N":"1E+2"}}""", """{"id":{"N":"1E+2"}}"""),
            (HashOnly, """{"id":{"S":"abc"}}""", """{"id":{"S":"abc"}}"""),
            (Composite, """{"sk":{"N":"0.1"},"x":{"L":[]},"pk":{"S":"p"}}""", """{"sk":{"N":"0.1"},"pk":{"S":"p"}}"""),
            (Composite, """{"pk":{"N":"12345678901234567890123456789012345678"},"sk":{"B":"/w=="}}""", """{"pk":{"N":"12345678901234567890123456789012345678"},"sk":{"B":"/w=="}}"""),
        })
        {
            var converter = new DynamoItemConverter(mode, IdentityMode.Id, key);
            var doc = Convert(item, converter);
            var filter = Filter(keys, converter);
            BsonAssert.Equal(new BsonDocument { { "_id", doc["_id"]! } }, filter);
            Assert.Equal("_id", doc.Names.First());
        }
    }

    [Fact]
    public void Key_filter_in_fields_mode_matches_the_stored_key_fields()
    {
        foreach (var mode in new[] { ConvertMode.Typed, ConvertMode.Double, ConvertMode.Raw })
        {
            var converter = new DynamoItemConverter(mode, IdentityMode.Fields, Composite);
            var doc = Convert("""{"n":{"N":"3.5"},"sk":{"N":"7"},"pk":{"S":"p"}}""", converter);
            var filter = Filter("""{"sk":{"N":"7"},"pk":{"S":"p"}}""", converter);
            BsonAssert.Equal(new BsonDocument { { "pk", doc["pk"]! }, { "sk", doc["sk"]! } }, filter);
        }
        var simple = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Fields, HashOnly);
        BsonAssert.Equal(new BsonDocument { { "id", 7 } }, Filter("""{"id":{"N":"7"}}""", simple));
        var raw = new DynamoItemConverter(ConvertMode.Raw, IdentityMode.Fields, HashOnly);
        BsonAssert.Equal(new BsonDocument { { "id", new BsonDocument { { "N", "7" } } } }, Filter("""{"id":{"N":"7"}}""", raw));
    }

    [Fact]
    public void Key_attributes_never_go_through_double()
    {
        var converter = new DynamoItemConverter(ConvertMode.Double, IdentityMode.Id, Composite);
        var doc = Convert("""{"pk":{"N":"9007199254740993"},"sk":{"N":"0.1"},"other":{"N":"9007199254740993"}}""", converter);
        BsonAssert.Equal(new BsonDocument { { "pk", 9007199254740993L }, { "sk", Dec(false, 1, -1) } }, doc["_id"]);
        BsonAssert.Equal(new BsonInt64(9007199254740993L), doc["pk"]);
        BsonAssert.Equal(new BsonDecimal128(Dec(false, 1, -1)), doc["sk"]);
        BsonAssert.Equal(new BsonDouble(9007199254740992.0), doc["other"]);
        var fields = new DynamoItemConverter(ConvertMode.Double, IdentityMode.Fields, HashOnly);
        BsonAssert.Equal(new BsonDocument { { "id", 9007199254740993L } }, Filter("""{"id":{"N":"9007199254740993"}}""", fields));
    }

    [Fact]
    public void Document_can_be_written_as_the_value_of_a_pending_name()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, HashOnly);
        var json = Encoding.UTF8.GetBytes("""{"Records":[{"NewImage":{"id":{"S":"a"},"v":{"N":"1"}}}]}""");
        var reader = new Utf8JsonReader(json, DynamoItemConverter.ReaderOptions);
        while (reader.Read() && !(reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("NewImage"u8))) { }
        reader.Read();
        using var writer = new BsonWriter();
        writer.WriteStartDocument();
        writer.WriteName("op"); writer.WriteString("insert");
        writer.WriteName("doc");
        converter.WriteDocument(ref reader, writer);
        writer.WriteEndDocument();
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType); // the record's
        var expected = new BsonDocument { { "op", "insert" }, { "doc", new BsonDocument { { "_id", "a" }, { "id", "a" }, { "v", 1 } } } };
        BsonAssert.Equal(expected, BsonBytes.ToDocument(writer.WrittenSpan));
    }

    [Fact]
    public void Items_of_a_scan_page_convert_one_after_another_into_one_output()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, HashOnly);
        var json = Encoding.UTF8.GetBytes("""{"Count":3,"Items":[{"id":{"N":"1"}},{"id":{"N":"2"},"x":{"M":{"y":{"NULL":true}}}},{"id":{"N":"3"}}],"ScannedCount":3}""");
        var reader = new Utf8JsonReader(json, DynamoItemConverter.ReaderOptions);
        while (reader.Read() && !(reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("Items"u8))) { }
        reader.Read();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new BsonWriter(output);
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            converter.WriteDocument(ref reader, writer);
            count++;
        }
        Assert.Equal(3, count);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        var ids = new List<BsonValue>();
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = BitConverter.ToInt32(bytes);
            ids.Add(BsonBytes.ToDocument(bytes[..length])["_id"]!);
            bytes = bytes[length..];
        }
        BsonAssert.Equal([new BsonInt32(1), new BsonInt32(2), new BsonInt32(3)], ids);
    }

    [Fact]
    public void Reader_over_a_fragmented_sequence_gives_the_same_bson()
    {
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, Composite);
        var item = EveryType.Replace("\"id\":{\"S\":\"k1\"}", "\"sk\":{\"N\":\"1.25\"},\"pk\":{\"S\":\"p\\u00e9\"}");
        var contiguous = ConvertToBytes(item, converter);
        var json = Encoding.UTF8.GetBytes(item);
        foreach (var size in new[] { 1, 3, 7 })
        {
            var reader = new Utf8JsonReader(Fragmented(json, size), DynamoItemConverter.ReaderOptions);
            reader.Read();
            using var writer = new BsonWriter();
            converter.WriteDocument(ref reader, writer);
            Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
            Assert.Equal(contiguous, writer.ToArray());
        }
        BsonAssert.Equal(new BsonDocument { { "pk", "pé" }, { "sk", Dec(false, 125, -2) } }, BsonBytes.ToDocument(contiguous)["_id"]);
    }

    private static System.Buffers.ReadOnlySequence<byte> Fragmented(byte[] bytes, int size)
    {
        Segment? first = null, last = null;
        for (var i = 0; i < bytes.Length; i += size)
        {
            var next = new Segment(bytes.AsMemory(i, Math.Min(size, bytes.Length - i)), last);
            first ??= next;
            last = next;
        }
        return new System.Buffers.ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is null) return;
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    [Fact]
    public void Large_item_near_400_KB_converts_intact()
    {
        var blob = new byte[150_000];
        new Random(7).NextBytes(blob);
        var text = new string('x', 100_000) + "é";
        var sb = new StringBuilder();
        sb.Append("{\"id\":{\"S\":\"big\"},\"blob\":{\"B\":\"").Append(System.Convert.ToBase64String(blob)).Append("\"},");
        sb.Append("\"text\":{\"S\":\"").Append(text).Append("\"},");
        sb.Append("\"list\":{\"L\":[");
        for (var i = 0; i < 5000; i++) sb.Append(i == 0 ? "" : ",").Append("{\"N\":\"").Append(i).Append(".5\"}");
        sb.Append("]}}");
        var json = sb.ToString();
        Assert.InRange(Encoding.UTF8.GetByteCount(json), 350_000, 409_600);

        var doc = Convert(json, ConvertMode.Typed, IdentityMode.Id);
        BsonAssert.Equal(new BsonString("big"), doc["_id"]);
        BsonAssert.Equal(new BsonBinaryData(blob), doc["blob"]);
        BsonAssert.Equal(new BsonString(text), doc["text"]);
        var list = (BsonArray)doc["list"]!;
        Assert.Equal(5000, list.Count);
        BsonAssert.Equal(new BsonDecimal128(Dec(false, 49995, -1)), list[4999]);
    }

    [Fact]
    public void Nesting_to_dynamodb_depth_limit_converts_with_the_recommended_reader_options()
    {
        const int levels = 32;
        var sb = new StringBuilder("{\"id\":{\"S\":\"d\"},\"a\":");
        for (var i = 0; i < levels; i++) sb.Append(i % 2 == 0 ? "{\"M\":{\"m\":" : "{\"L\":[");
        sb.Append("{\"N\":\"1\"}");
        for (var i = levels - 1; i >= 0; i--) sb.Append(i % 2 == 0 ? "}}" : "]}");
        sb.Append('}');
        BsonValue value = Convert(sb.ToString())["a"]!;
        for (var i = 0; i < levels; i++) value = i % 2 == 0 ? ((BsonDocument)value)["m"]! : ((BsonArray)value)[0];
        BsonAssert.Equal(new BsonInt32(1), value);
    }

    [Fact]
    public void Key_text_renders_keys_and_item_keys()
    {
        var json = Encoding.UTF8.GetBytes("""{"pk":{"S":"user#1"},"sk":{"N":"5"},"bin":{"B":"AQI="},"odd":{"S":"a=b"}}""");
        var reader = new Utf8JsonReader(json);
        reader.Read();
        Assert.Equal("pk=user#1, sk=5, bin=base64:AQI=, odd=\"a=b\"", DynamoKeyText.Describe(ref reader));
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);

        var item = new Utf8JsonReader(Encoding.UTF8.GetBytes("""{"v":{"L":[{"S":"x"}]},"sk":{"N":"5"},"pk":{"S":"a"}}"""));
        item.Read();
        Assert.Equal("pk=a, sk=5", DynamoKeyText.Describe(ref item, Composite));
        Assert.Equal(JsonTokenType.EndObject, item.TokenType);
    }

    internal static Decimal128 Dec(bool negative, UInt128 coefficient, int exponent) =>
        Decimal128.FromIEEEBits((negative ? 1UL << 63 : 0) | ((ulong)(exponent + 6176) << 49) | (ulong)(coefficient >> 64), (ulong)coefficient);
}

internal static class BsonDocumentReaderExtensions
{
    public static (string Name, BsonType Type) First(this BsonDocumentReader reader)
    {
        foreach (var e in reader) return (e.Name, e.Type);
        throw new InvalidOperationException("empty document");
    }
}
