using Replication.Dynamo;

namespace Replication.Tests.Dynamo;

public class SequenceNumberTests
{
    [Theory]
    [InlineData("9", "10")]
    [InlineData("99", "100")]
    [InlineData("000000000000000000001", "2")]
    [InlineData("100000000000000000000", "100000000000000000001")]
    [InlineData("9999999999999999999999", "10000000000000000000000")]
    [InlineData("4000000000000000000000000000000000000001", "40000000000000000000000000000000000000000")]
    public void Orders_numerically_not_as_text(string smaller, string larger)
    {
        var a = SequenceNumber.Parse(smaller);
        var b = SequenceNumber.Parse(larger);
        Assert.True(a < b);
        Assert.True(b > a);
        Assert.Equal(-1, a.CompareTo(b));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Keeps_the_original_text_and_equal_values_compare_equal()
    {
        var padded = SequenceNumber.Parse("0042");
        Assert.Equal("0042", padded.ToString());
        Assert.Equal(SequenceNumber.Parse("42"), padded);
        Assert.Equal(42, (int)padded.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("12a")]
    [InlineData(" 12")]
    public void Rejects_what_is_not_a_sequence_number(string text)
    {
        Assert.False(SequenceNumber.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => SequenceNumber.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Sorts_a_list_numerically()
    {
        var sorted = new[] { "100", "9", "21000000000000000000001", "10" }.Select(SequenceNumber.Parse).Order().Select(s => s.ToString());
        Assert.Equal(["9", "10", "100", "21000000000000000000001"], sorted);
    }
}
