using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo.Conversion;
using static Replication.Tests.Dynamo.ConversionHarness;

namespace Replication.Tests.Dynamo;

public class SetConversionTests
{
    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void A_set_becomes_the_same_array_whatever_order_dynamodb_lists_it_in(ConvertMode mode)
    {
        var a = Convert("""{"id":{"S":"k"},"ss":{"SS":["b","a\u0063","a"]},"ns":{"NS":["10","9"]},"bs":{"BS":["Ag==","AQ=="]}}""", mode);
        var b = Convert("""{"id":{"S":"k"},"ss":{"SS":["a","b","ac"]},"ns":{"NS":["9","10"]},"bs":{"BS":["AQ==","Ag=="]}}""", mode);

        Assert.Equal(a, b);
        if (mode != ConvertMode.Raw) BsonAssert.Equal(new BsonArray { "a", "ac", "b" }, a["ss"]);
    }
    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void A_number_set_is_ordered_by_numeric_value(ConvertMode mode)
    {
        var document = Convert("""{"id":{"S":"k"},"ns":{"NS":["7","-31","18","0","-0.5","1E+2","-1E+2","0.25"]}}""", mode);

        var expected = new[] { "-1E+2", "-31", "-0.5", "0", "0.25", "7", "18", "1E+2" };
        Assert.Equal(expected.Select(n => mode == ConvertMode.Raw ? n : Number(n, mode)), Elements(document["ns"]!, mode));
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void Numbers_a_double_cannot_tell_apart_are_still_ordered_exactly(ConvertMode mode)
    {
        // 38 significant digits and DynamoDB's extreme exponents: many share a double, none share a place.
        string[] ascending =
        [
            "-9.9999999999999999999999999999999999999E+125",
            "-1.0000000000000000000000000000000000002",
            "-1.0000000000000000000000000000000000001",
            "-1E-130",
            "1E-130",
            "1.000000000000000000000000000000000000E-129",
            "1.0000000000000000000000000000000000001",
            "1.0000000000000000000000000000000000002",
            "12345678901234567890123456789012345678",
            "9.9999999999999999999999999999999999998E+125",
            "9.9999999999999999999999999999999999999E+125",
        ];
        var shuffled = Enumerable.Reverse(ascending).ToArray();
        (shuffled[1], shuffled[6]) = (shuffled[6], shuffled[1]);
        var json = string.Join(",", shuffled.Select(n => $"\"{n}\""));

        var document = Convert("""{"id":{"S":"k"},"ns":{"NS":[""" + json + "]}}", ConvertMode.Raw);

        BsonAssert.Equal(ascending.Select(n => (BsonValue)n), Elements(document["ns"]!, ConvertMode.Raw));
        Assert.Equal(Convert("""{"id":{"S":"k"},"ns":{"NS":[""" + string.Join(",", ascending.Select(n => $"\"{n}\"")) + "]}}", mode),
                     Convert("""{"id":{"S":"k"},"ns":{"NS":[""" + json + "]}}", mode));
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void A_binary_set_is_ordered_by_unsigned_bytes_not_by_its_base64_text(ConvertMode mode)
    {
        // base64 text order would be "/w==" (0xFF), "AA==", "AAA=", "AQ==", "gA==".
        var document = Convert("""{"id":{"S":"k"},"bs":{"BS":["gA==","AQ==","/w==","AAA=","AA=="]}}""", mode);

        byte[][] expected = [[0x00], [0x00, 0x00], [0x01], [0x80], [0xFF]];
        BsonAssert.Equal(expected.Select(b => (BsonValue)new BsonBinaryData(b)), Elements(document["bs"]!, mode));
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void A_string_set_is_ordered_by_code_point(ConvertMode mode)
    {
        // UTF-16 order would put U+1F600 (a surrogate pair, 0xD83D…) before U+FFFD; code point order puts it after.
        var document = Convert("""{"id":{"S":"k"},"ss":{"SS":["\ud83d\ude00","\ufffd","z","\u00e9","Z"]}}""", mode);

        BsonAssert.Equal(new BsonValue[] { "Z", "z", "\u00e9", "\ufffd", "\U0001F600" }, Elements(document["ss"]!, mode));
    }

    private static IEnumerable<BsonValue> Elements(BsonValue set, ConvertMode mode) =>
        mode == ConvertMode.Raw ? ((BsonArray)((BsonDocument)set).GetElement(0).Value) : ((BsonArray)set);
}
