using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconConfigTests
{
    private static HoconConfig Parse(string text) => HoconConfig.ParseString(text, "app.conf", _ => null);

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("100 ms", 100)]
    [InlineData("5 minutes", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5 seconds", 1_500)]
    [InlineData("250", 250)]
    [InlineData("\"250\"", 250)]
    [InlineData("3 m", 180_000)]
    public void Durations(string written, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Parse($"d = {written}").GetDuration("d"));
    }

    [Fact]
    public void Small_duration_units_and_infinite()
    {
        Assert.Equal(TimeSpan.FromTicks(20), Parse("d = 2us").GetDuration("d"));
        Assert.Equal(TimeSpan.FromTicks(5), Parse("d = 500ns").GetDuration("d"));
        Assert.Equal(Timeout.InfiniteTimeSpan, Parse("d = infinite").GetDuration("d"));
    }

    [Theory]
    [InlineData("64MiB", 64L * 1024 * 1024)]
    [InlineData("10kB", 10_000)]
    [InlineData("1K", 1024)]
    [InlineData("1k", 1024)]
    [InlineData("2 kibibytes", 2048)]
    [InlineData("3 megabytes", 3_000_000)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1.5KiB", 1536)]
    [InlineData("512", 512)]
    [InlineData("7 bytes", 7)]
    public void Sizes(string written, long bytes)
    {
        Assert.Equal(bytes, Parse($"s = {written}").GetBytes("s"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("on", true)]
    [InlineData("yes", true)]
    [InlineData("\"true\"", true)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("no", false)]
    public void Booleans(string written, bool expected)
    {
        Assert.Equal(expected, Parse($"b = {written}").GetBoolean("b"));
    }

    [Fact]
    public void Numbers_and_strings_convert_where_the_spec_allows()
    {
        var config = Parse("i = \"12\"\nl = 9007199254740993\nd = 2.5\nn = 7");
        Assert.Equal(12, config.GetInt("i"));
        Assert.Equal(9007199254740993L, config.GetLong("l"));
        Assert.Equal(2.5, config.GetDouble("d"));
        Assert.Equal("7", config.GetString("n"));
    }

    [Fact]
    public void A_wrong_type_names_the_path_and_the_file_line()
    {
        var config = Parse("replication {\n  full-sync {\n    segments = four\n    flag = maybe\n    wait = 3 fortnights\n    size = 12 parsecs\n  }\n}");
        Assert.Equal("replication.full-sync.segments at app.conf:3: expected an integer, got \"four\"",
            Assert.Throws<HoconException>(() => config.GetInt("replication.full-sync.segments")).Message);
        Assert.Equal("replication.full-sync.flag at app.conf:4: expected a boolean (true/false, yes/no, on/off), got \"maybe\"",
            Assert.Throws<HoconException>(() => config.GetBoolean("replication.full-sync.flag")).Message);
        Assert.StartsWith("replication.full-sync.wait at app.conf:5: expected a duration",
            Assert.Throws<HoconException>(() => config.GetDuration("replication.full-sync.wait")).Message);
        Assert.StartsWith("replication.full-sync.size at app.conf:6: expected a size in bytes",
            Assert.Throws<HoconException>(() => config.GetBytes("replication.full-sync.size")).Message);
        Assert.Equal("replication.full-sync at app.conf:2: expected a string, got an object",
            Assert.Throws<HoconException>(() => config.GetString("replication.full-sync")).Message);
    }

    [Fact]
    public void A_missing_key_and_an_out_of_range_number_are_reported()
    {
        var config = Parse("big = 3000000000");
        Assert.Equal("nope.x: missing (no such key in the configuration)", Assert.Throws<HoconException>(() => config.GetInt("nope.x")).Message);
        Assert.Equal("big at app.conf:1: expected an integer, got 3000000000", Assert.Throws<HoconException>(() => config.GetInt("big")).Message);
        Assert.Equal(3_000_000_000L, config.GetLong("big"));
    }

    [Fact]
    public void GetConfig_reads_relative_paths_and_keeps_absolute_ones_in_messages()
    {
        var config = Parse("a.b { port = 8558, bad = x }");
        var sub = config.GetConfig("a.b");
        Assert.Equal(8558, sub.GetInt("port"));
        Assert.StartsWith("a.b.bad at app.conf:1:", Assert.Throws<HoconException>(() => sub.GetInt("bad")).Message);
    }

    [Fact]
    public void HasPath_is_false_for_absent_and_null()
    {
        var config = Parse("a = null\nb = 1\nc {}");
        Assert.False(config.HasPath("a"));
        Assert.False(config.HasPath("z"));
        Assert.True(config.HasPath("b"));
        Assert.True(config.HasPath("c"));
        Assert.Equal("fallback", config.GetString("z", "fallback"));
    }

    [Fact]
    public void String_lists_and_a_wrong_element()
    {
        var config = Parse("l = [a, \"b c\", 3]\nbad = [a, {x = 1}]");
        Assert.Equal(["a", "b c", "3"], config.GetStringList("l"));
        Assert.Equal("bad.1 at app.conf:2: expected a string, got an object",
            Assert.Throws<HoconException>(() => config.GetStringList("bad")).Message);
    }

    [Fact]
    public void Rendering_reads_back_to_the_same_values()
    {
        var config = Parse("a { \"dotted.key\" = \"x\\ny\", n = 1, l = [1, two], e {} }\nb = null\nt = true");
        var again = HoconConfig.ParseString(config.Render(), "rendered", _ => null);
        Assert.Equal("x\ny", again.GetString("a.\"dotted.key\""));
        Assert.Equal(1, again.GetInt("a.n"));
        Assert.Equal(["1", "two"], again.GetStringList("a.l"));
        Assert.Empty(again.GetKeys("a.e"));
        Assert.True(again.GetBoolean("t"));
        Assert.Contains("# app.conf:1", config.Render(withOrigins: true));
    }
}
