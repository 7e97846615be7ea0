using Replication.Bson;

namespace Replication.Tests.Bson;

public class Decimal128TextTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "-0")]
    [InlineData("1.50", "1.50")]
    [InlineData("123456789012345678901234567890.1234", "123456789012345678901234567890.1234")]
    [InlineData("1E+125", "1E+125")]
    [InlineData("9.999999999999999999999999999999999E+125", "9.999999999999999999999999999999999E+125")]
    [InlineData("1E-130", "1E-130")]
    [InlineData("-0.000001", "-0.000001")]
    [InlineData("0.0000001", "1E-7")]
    [InlineData("12345678901234567890123456789012340000", "1.234567890123456789012345678901234E+37")]
    [InlineData("00012.5000", "12.5000")]
    public void Exact_numbers_in_DynamoDB_range_parse_and_format(string text, string expected)
    {
        Assert.True(Decimal128.TryParseExact(text, out var value));
        Assert.Equal(expected, value.ToString());
        Assert.True(Decimal128.TryParseExact(System.Text.Encoding.ASCII.GetBytes(text), out var fromUtf8));
        Assert.Equal(value, fromUtf8);
    }

    [Theory]
    [InlineData("12345678901234567890123456789012345678")] // 38 significant digits: DynamoDB holds it, decimal128 cannot
    [InlineData("1.0000000000000000000000000000000000001")]
    [InlineData("9.9999999999999999999999999999999999E+125")] // 35 nines: one digit too many
    [InlineData("1E+6145")] // beyond the exponent range even with zero padding
    [InlineData("1E-6177")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    [InlineData("1,5")]
    [InlineData("")]
    public void Numbers_that_cannot_be_held_exactly_are_refused(string text)
    {
        Assert.False(Decimal128.TryParseExact(text, out _));
        Assert.False(Decimal128.TryParseExact(System.Text.Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Specials_parse_with_their_flags()
    {
        Assert.True(Decimal128.Parse("-Infinity").IsInfinity);
        Assert.True(Decimal128.Parse("-Infinity").IsNegative);
        Assert.True(Decimal128.Parse("nan").IsNaN);
        Assert.True(Decimal128.Parse("-5").IsFinite);
        Assert.Equal(-3, Decimal128.Parse("1.234").Exponent);
        Assert.Equal(new UInt128(0, 1234), Decimal128.Parse("1.234").Coefficient);
    }

    [Fact]
    public void Trailing_zeros_beyond_34_digits_are_dropped_exactly_and_clamping_pads_the_coefficient()
    {
        // 36 digits whose last two are zeros: exact, so accepted with the exponent raised.
        var wide = Decimal128.Parse("123456789012345678901234567890123400");
        Assert.Equal(2, wide.Exponent);
        // An exponent above the maximum is brought down by padding the coefficient with zeros.
        var clamped = Decimal128.Parse("1E+6112");
        Assert.Equal(6111, clamped.Exponent);
        Assert.Equal(new UInt128(0, 10), clamped.Coefficient);
        Assert.Equal("1.0E+6112", clamped.ToString());
    }

    [Fact]
    public void Parse_names_the_bad_text()
    {
        var e = Assert.Throws<FormatException>(() => Decimal128.Parse("1.2.3"));
        Assert.Contains("'1.2.3'", e.Message);
    }
}
