using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo.Conversion;
using Replication.Testing.Comparison;

namespace Replication.Tests.Comparison;

/// <summary>The tests' own reading of the README's mapping table, checked against values written out by hand.</summary>
public sealed class ReferenceItemConverterTests
{
    [Theory]
    [InlineData("7", 7)]
    [InlineData("-0", 0)]
    [InlineData("1E+2", 100)]
    [InlineData("250E-1", 25)]
    [InlineData("-2147483648", int.MinValue)]
    public void Integral_numbers_in_int32_range_are_int32(string text, int expected) =>
        AssertExact(new BsonInt32(expected), ReferenceItemConverter.Number(text));

    [Theory]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Integral_numbers_in_int64_range_are_int64(string text, long expected) =>
        AssertExact(new BsonInt64(expected), ReferenceItemConverter.Number(text));

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.001")]
    [InlineData("9223372036854775808")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1E+125")]
    [InlineData("1E-130")]
    [InlineData("1234567890123456789012345678901234")]
    public void Other_numbers_of_at_most_34_digits_are_exact_decimal128(string text) =>
        AssertExact(new BsonDecimal128(Decimal128.Parse(text)), ReferenceItemConverter.Number(text));

    [Theory]
    [InlineData("12345678901234567890123456789012345")]
    [InlineData("1.2345678901234567890123456789012345678")]
    public void Numbers_decimal128_cannot_hold_keep_their_text(string text) =>
        AssertExact(new BsonString(text), ReferenceItemConverter.Number(text));

    [Fact]
    public void Every_attribute_type_maps_as_the_readme_says_and_sets_are_sorted_by_value()
    {
        var converter = new ReferenceItemConverter(IdentityMode.Id, "pk", "sk");
        var document = converter.Convert(new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = "a" },
            ["sk"] = new() { N = "3" },
            ["bin"] = new() { B = new MemoryStream([0xff, 0]) },
            ["yes"] = new() { BOOL = true },
            ["no"] = new() { BOOL = false },
            ["none"] = new() { NULL = true },
            ["map"] = new() { M = new() { ["x"] = new() { S = "y" } } },
            ["list"] = new() { L = [new() { N = "1" }, new() { S = "z" }] },
            ["ns"] = new() { NS = ["18", "-31", "7", "1E+40", "0.5"] },
            ["bs"] = new() { BS = [new MemoryStream([0x80]), new MemoryStream([0x7f, 0xff]), new MemoryStream([0x7f])] },
            // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
            ["ss"] = new() { SS = ["\U0001F600", "\uFF5E", "b", "a"] },
        });

        var expected = new BsonDocument
        {
            { "_id", new BsonDocument { { "pk", "a" }, { "sk", 3 } } },
            { "pk", "a" },
            { "sk", 3 },
            { "bin", new BsonBinaryData([0xff, 0]) },
            { "yes", true },
            { "no", false },
            { "none", BsonNull.Value },
            { "map", new BsonDocument { { "x", "y" } } },
            { "list", new BsonArray { 1, "z" } },
            { "ns", new BsonArray { -31, new BsonDecimal128(Decimal128.Parse("0.5")), 7, 18, new BsonDecimal128(Decimal128.Parse("1E+40")) } },
            { "bs", new BsonArray { new BsonBinaryData([0x7f]), new BsonBinaryData([0x7f, 0xff]), new BsonBinaryData([0x80]) } },
            { "ss", new BsonArray { "a", "b", "\uFF5E", "\U0001F600" } },
        };
        AssertExact(expected, document);
    }

    [Fact]
    public void A_simple_key_is_the_id_itself_and_key_fields_leave_the_id_to_mongodb()
    {
        var item = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "k" }, ["v"] = new() { N = "1" } };

        AssertExact(new BsonDocument { { "_id", "k" }, { "pk", "k" }, { "v", 1 } }, new ReferenceItemConverter(IdentityMode.Id, "pk", null).Convert(item));
        AssertExact(new BsonDocument { { "pk", "k" }, { "v", 1 } }, new ReferenceItemConverter(IdentityMode.Fields, "pk", null).Convert(item));
    }

    private static void AssertExact(BsonValue expected, BsonValue actual) => Assert.Equal(BsonBytes.ExactText(expected), BsonBytes.ExactText(actual));
}
