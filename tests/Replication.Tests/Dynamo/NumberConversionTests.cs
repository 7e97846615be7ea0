using System.Globalization;
using System.Numerics;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo.Conversion;
using static Replication.Tests.Dynamo.ConversionHarness;
using static Replication.Tests.Dynamo.ItemConversionTests;

namespace Replication.Tests.Dynamo;

public class NumberConversionTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("0.000", 0)]
    [InlineData("0e-130", 0)]
    [InlineData("1E+2", 100)]
    [InlineData("1e2", 100)]
    [InlineData("100E-2", 1)]
    [InlineData("1.0", 1)]
    [InlineData("+5", 5)]
    [InlineData("5.", 5)]
    [InlineData("1.5e3", 1500)]
    [InlineData("007", 7)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("-21474836.48E2", int.MinValue)]
    public void Integral_values_in_int32_range_become_int32(string text, int expected) =>
        BsonAssert.Equal(new BsonInt32(expected), Number(text));

    [Theory]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("-2147483649", -2147483649L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("1e18", 1_000_000_000_000_000_000L)]
    [InlineData("92233720368547758.07E2", long.MaxValue)]
    public void Integral_values_in_int64_range_become_int64(string text, long expected) =>
        BsonAssert.Equal(new BsonInt64(expected), Number(text));

    public static TheoryData<string, bool, string, int> Decimals => new()
    {
        { "0.1", false, "1", -1 },
        { "0.10", false, "10", -2 },
        { "-0.5", true, "5", -1 },
        { ".5", false, "5", -1 },
        { "1500e-3", false, "1500", -3 },
        { "1e125", false, "1", 125 },
        { "-1e-130", true, "1", -130 },
        { "1e19", false, "1", 19 },
        { "9223372036854775808", false, "9223372036854775808", 0 },
        { "-9223372036854775809", true, "9223372036854775809", 0 },
        { "1234567890123456789012345678901234", false, "1234567890123456789012345678901234", 0 },
        { "12345678901234567890123456789012340000", false, "1234567890123456789012345678901234", 4 },
        { "9.999999999999999999999999999999999E+125", false, "9999999999999999999999999999999999", 92 },
        { "0.000000000000000000000000000000000000000000000001", false, "1", -48 },
    };

    [Theory]
    [MemberData(nameof(Decimals))]
    public void Other_values_with_at_most_34_significant_digits_become_exact_decimal128(string text, bool negative, string coefficient, int exponent) =>
        BsonAssert.Equal(new BsonDecimal128(Dec(negative, UInt128.Parse(coefficient, CultureInfo.InvariantCulture), exponent)), Number(text));

    [Theory]
    [InlineData("12345678901234567890123456789012345678")]
    [InlineData("-1.2345678901234567890123456789012345678E-100")]
    [InlineData("99999999999999999999999999999999999999E+87")]
    public void Values_with_more_significant_digits_than_decimal128_keep_their_text(string text) =>
        BsonAssert.Equal(new BsonString(text), Number(text));

    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData("42", 42.0)]
    [InlineData("1e125", 1e125)]
    [InlineData("-1e-130", -1e-130)]
    [InlineData("9.9999999999999999999999999999999999999E+125", 1e126)]
    [InlineData("12345678901234567890123456789012345678", 1.2345678901234568E+37)]
    public void Double_mode_takes_the_nearest_double(string text, double expected) =>
        BsonAssert.Equal(new BsonDouble(expected), Number(text, ConvertMode.Double));

    [Fact]
    public void Double_mode_rejects_a_number_beyond_double_range_naming_the_attribute()
    {
        var ex = Failure("""{"id":{"S":"k"},"big":{"N":"1e400"}}""", ConvertMode.Double);
        Assert.Equal("big", ex.AttributePath);
        Assert.Equal("id=k", ex.ItemKey);
        Assert.Contains("beyond the range of a double", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData(" 1")]
    [InlineData("0x10")]
    [InlineData(".")]
    public void Text_that_is_not_a_number_is_rejected_in_typed_and_double_modes(string text)
    {
        foreach (var mode in new[] { ConvertMode.Typed, ConvertMode.Double })
        {
            var ex = Failure("""{"id":{"S":"k"},"m":{"M":{"n":{"N":""" + JsonSerializer.Serialize(text) + "}}}}", mode);
            Assert.Equal("m.n", ex.AttributePath);
            Assert.Contains("is not a number", ex.Message);
        }
    }

    /// <summary>
    /// Every finite value of the official BSON corpus's decimal128 files, read as a DynamoDB number, comes out as
    /// exactly the corpus's Decimal128 bits, or as the integer of the same value.
    /// </summary>
    [Fact]
    public void Decimal128_results_agree_with_the_bson_corpus()
    {
        var compared = 0;
        foreach (var file in Directory.GetFiles(Replication.Tests.Bson.Corpus.BsonCorpus.Directory, "decimal128-*.json"))
        {
            using var suite = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!suite.RootElement.TryGetProperty("valid", out var valid)) continue;
            foreach (var test in valid.EnumerateArray())
            {
                var bson = System.Convert.FromHexString(test.GetProperty("canonical_bson").GetString()!);
                var bits = Decimal128.FromIEEEBits(BitConverter.ToUInt64(bson, 15), BitConverter.ToUInt64(bson, 7));
                if (!TryValue(bits, out var negative, out var coefficient, out var exponent)) continue;
                foreach (var form in new[] { "canonical_extjson", "degenerate_extjson", "relaxed_extjson" })
                {
                    if (!test.TryGetProperty(form, out var extjson)) continue;
                    var text = JsonDocument.Parse(extjson.GetString()!).RootElement.GetProperty("d").GetProperty("$numberDecimal").GetString()!;
                    if (text.Contains("Inf", StringComparison.OrdinalIgnoreCase) || text.Contains("NaN", StringComparison.OrdinalIgnoreCase)) continue;
                    var value = Number(text);
                    switch (value)
                    {
                        case BsonDecimal128 d:
                            Assert.True(Bits(d.Value) == Bits(bits), $"{text}: {Bits(d.Value)} vs corpus {Bits(bits)}");
                            break;
                        case BsonInt32 i:
                            Assert.True(coefficient * BigInteger.Pow(10, Math.Max(exponent, 0)) / BigInteger.Pow(10, Math.Max(-exponent, 0)) * (negative ? -1 : 1) == i.Value, text);
                            break;
                        case BsonInt64 l:
                            Assert.True(coefficient * BigInteger.Pow(10, Math.Max(exponent, 0)) / BigInteger.Pow(10, Math.Max(-exponent, 0)) * (negative ? -1 : 1) == l.Value, text);
                            break;
                        default:
                            Assert.Fail($"{text} became {value}");
                            break;
                    }
                    compared++;
                }
            }
        }
        Assert.True(compared > 100, $"only {compared} corpus values compared");
    }

    // Decodes a finite BID value in the canonical form (coefficient below 2^113); false for the others and specials.
    private static bool TryValue(Decimal128 d, out bool negative, out BigInteger coefficient, out int exponent)
    {
        var high = d.GetIEEEHighBits();
        negative = (high >> 63) != 0;
        coefficient = default;
        exponent = 0;
        if (((high >> 61) & 3) == 3) return false;
        exponent = (int)((high >> 49) & 0x3FFF) - 6176;
        coefficient = ((BigInteger)(high & ((1UL << 49) - 1)) << 64) | d.GetIEEELowBits();
        return true;
    }

    private static string Bits(Decimal128 d) => $"{d.GetIEEEHighBits():x16}{d.GetIEEELowBits():x16}";
}
