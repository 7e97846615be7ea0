using System.Buffers;
using System.Text;
using System.Text.Json;
using Replication.Bson;

namespace Replication.Tests.Bson;

public class ExtendedJsonTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1E-5")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1E+16")]
    [InlineData(1.5e300, "1.5E+300")]
    [InlineData(5e-324, "5E-324")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Doubles_use_the_shortest_round_trip_digits_with_exponents_outside_1e_minus4_to_1e16(double value, string expected)
    {
        var text = ExtendedJsonDouble.Format(value);
        Assert.Equal(expected, text);
        if (double.IsFinite(value)) Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(text)));
    }

    [Fact]
    public void Many_documents_stream_into_one_json_array()
    {
        var docs = Enumerable.Range(0, 3).Select(i => new BsonDocument { { "i", i }, { "l", (long)i << 40 } }.ToBytes()).ToList();
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartArray();
            foreach (var d in docs) ExtendedJson.Write(d, json, ExtendedJsonMode.Relaxed);
            json.WriteEndArray();
        }
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Equal("[" + string.Join(",", docs.Select(d => ExtendedJson.ToRelaxed(d))) + "]", text);
        Assert.Equal("""{"i":2,"l":2199023255552}""", ExtendedJson.ToRelaxed(docs[2]));
    }

    [Fact]
    public void Parsing_into_a_writer_embeds_the_json_as_the_pending_value()
    {
        using var w = new BsonWriter();
        w.WriteStartDocument();
        w.WriteName("before"); w.WriteInt32(1);
        w.WriteName("embedded");
        ExtendedJson.Parse("""{"x": {"$numberLong": "7"}}"""u8, w);
        w.WriteEndDocument();
        Assert.Equal("""{"before":{"$numberInt":"1"},"embedded":{"x":{"$numberLong":"7"}}}""", ExtendedJson.ToCanonical(w.WrittenSpan));
    }

    [Fact]
    public void Relaxed_numbers_take_the_smallest_type_that_holds_them()
    {
        var bson = ExtendedJson.Parse("""{"a": 1, "b": 3000000000, "c": 1.0, "d": 1e400, "e": 99999999999999999999}""");
        var r = new BsonDocumentReader(bson);
        Assert.Equal(BsonType.Int32, r["a"].Type);
        Assert.Equal(BsonType.Int64, r["b"].Type);
        Assert.Equal(BsonType.Double, r["c"].Type);
        Assert.Equal(double.PositiveInfinity, r["d"].AsDouble);
        Assert.Equal(1e20, r["e"].AsDouble);
    }

    [Fact]
    public void Dollar_keys_that_are_no_type_wrapper_leave_the_object_a_document()
    {
        const string query = """{"q":{"$gt":{"$date":"2020-01-01T00:00:00Z"}},"r":{"$regex":"^a","$options":"i"},"t":{"$type":"string"}}""";
        var bson = ExtendedJson.Parse(query);
        Assert.Equal(BsonType.Document, new BsonDocumentReader(bson)["r"].Type);
        Assert.Equal("""{"q":{"$gt":{"$date":"2020-01-01T00:00:00Z"}},"r":{"$regex":"^a","$options":"i"},"t":{"$type":"string"}}""", ExtendedJson.ToRelaxed(bson));
    }

    [Fact]
    public void A_type_wrapper_key_among_ordinary_keys_is_an_error()
    {
        var e = Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse("""{"a": {"b": 1, "$oid": "57e193d7a9cc81b4027498b5"}}"""));
        Assert.Contains("$oid", e.Message);
    }

    [Fact]
    public void Errors_name_the_wrapper_and_the_offset()
    {
        const string json = """{"a": {"$numberInt": "12x"}}""";
        var e = Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse(json));
        Assert.Contains("$numberInt", e.Message);
        Assert.Equal(json.IndexOf("\"12x\"", StringComparison.Ordinal), e.Offset);
    }

    [Fact]
    public void Legacy_binary_unhyphenated_uuid_and_escaped_keys_are_understood()
    {
        var bson = ExtendedJson.Parse("""{"b": {"$type": "80", "$binary": "AQID"}, "u": {"$uuid": "73ffd26444b34c6990e8e7d1dfc035d4"}, "o": {"\u0024oid": "57e193d7a9cc81b4027498b5"}}""");
        Assert.Equal(
            """{"b":{"$binary":{"base64":"AQID","subType":"80"}},"u":{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}},"o":{"$oid":"57e193d7a9cc81b4027498b5"}}""",
            ExtendedJson.ToCanonical(bson));
    }

    [Fact]
    public void Code_with_scope_keys_are_read_in_either_order()
    {
        var scopeFirst = ExtendedJson.Parse("""{"c": {"$scope": {"x": {"$numberInt": "1"}}, "$code": "x"}}""");
        var codeFirst = ExtendedJson.Parse("""{"c": {"$code": "x", "$scope": {"x": 1}}}""");
        Assert.Equal(codeFirst, scopeFirst);
        Assert.Equal("""{"c":{"$code":"x","$scope":{"x":{"$numberInt":"1"}}}}""", ExtendedJson.ToCanonical(codeFirst));
    }

    [Fact]
    public void Relaxed_dates_are_iso_strings_only_from_1970_to_9999()
    {
        var bson = new BsonDocument { { "a", new BsonDateTime(-1) }, { "b", new BsonDateTime(1_356_351_330_000) }, { "c", new BsonDateTime(253402300800000) } }.ToBytes();
        Assert.Equal(
            """{"a":{"$date":{"$numberLong":"-1"}},"b":{"$date":"2012-12-24T12:15:30Z"},"c":{"$date":{"$numberLong":"253402300800000"}}}""",
            ExtendedJson.ToRelaxed(bson));
        var withOffset = ExtendedJson.Parse("""{"d": {"$date": "2012-12-24T13:15:30.501+01:00"}}""");
        Assert.Equal(1_356_351_330_501, new BsonDocumentReader(withOffset)["d"].AsDateTime);
    }

    [Fact]
    public void Two_hundred_levels_of_nesting_parse_and_trailing_content_does_not()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 199)) + "1" + new string('}', 199);
        var bson = ExtendedJson.Parse("{\"x\":" + deep + "}");
        Assert.True(BsonValidator.TryValidate(bson));
        Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse("""{"a": 1} {"b": 2}"""));
        Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse("""[1, 2]"""));
    }

    [Fact]
    public void Malformed_bson_is_refused_before_any_json_is_written()
    {
        var bytes = new BsonDocument { { "s", "abc" } }.ToBytes();
        bytes[^3] = 0xFF; // inside the string: no longer UTF-8
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<BsonFormatException>(() => ExtendedJson.Write(bytes, output, ExtendedJsonMode.Canonical));
        Assert.Equal(0, output.WrittenCount);
    }
}
