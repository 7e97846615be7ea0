using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconParserTests
{
    private static HoconConfig Parse(string text) => HoconConfig.ParseString(text, "test.conf", _ => null);

    [Fact]
    public void Root_braces_may_be_omitted_or_written()
    {
        Assert.Equal(1, Parse("a = 1").GetInt("a"));
        Assert.Equal(1, Parse("{ a = 1 }").GetInt("a"));
        Assert.Equal(1, Parse("{\"a\": 1}").GetInt("a"));
    }

    [Fact]
    public void Equals_colon_or_nothing_before_an_object()
    {
        var config = Parse("a = { x = 1 }\nb : { x = 2 }\nc { x = 3 }");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("b.x"));
        Assert.Equal(3, config.GetInt("c.x"));
    }

    [Fact]
    public void Comments_are_ignored_and_end_at_the_newline()
    {
        var config = Parse("# hash\na = 1 # trailing\n// slashes\nb = 2 // trailing\nc = \"http://not-a-comment\"");
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal("http://not-a-comment", config.GetString("c"));
    }

    [Fact]
    public void Fields_are_separated_by_newlines_or_commas_with_one_trailing_comma_allowed()
    {
        var config = Parse("a = 1, b = 2\nc = 3,\nd { e = 4, }\nf = [1, 2,]");
        Assert.Equal([1, 2, 3, 4], new[] { config.GetInt("a"), config.GetInt("b"), config.GetInt("c"), config.GetInt("d.e") });
        Assert.Equal(["1", "2"], config.GetStringList("f"));
    }

    [Fact]
    public void Dotted_keys_nest_and_quoted_keys_keep_their_dots()
    {
        var config = Parse("a.b.c = 1\n\"x.y\" = 2\nm.\"n.o\".p = 3");
        Assert.Equal(1, config.GetInt("a.b.c"));
        Assert.Equal(2, config.GetInt("\"x.y\""));
        Assert.False(config.HasPath("x.y"));
        Assert.Equal(3, config.GetInt("m.\"n.o\".p"));
        Assert.Equal(["n.o"], config.GetKeys("m"));
    }

    [Fact]
    public void Duplicate_keys_merge_objects_and_later_scalars_win()
    {
        var config = Parse("a { x = 1, y = 1 }\na { y = 2, z = 3 }\na.w = 4\ns = first\ns = second");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
        Assert.Equal(3, config.GetInt("a.z"));
        Assert.Equal(4, config.GetInt("a.w"));
        Assert.Equal("second", config.GetString("s"));
    }

    [Fact]
    public void A_null_or_a_scalar_between_objects_stops_the_merge()
    {
        var config = Parse("a { x = 1 }\na = null\na { y = 2 }\nb { x = 1 }\nb = 5\nb { y = 2 }");
        Assert.False(config.HasPath("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
        Assert.False(config.HasPath("b.x"));
        Assert.Equal(2, config.GetInt("b.y"));
    }

    [Fact]
    public void Literals_have_their_json_types()
    {
        var root = Parse("t = true\nf = false\nn = null\ni = 42\nd = -1.5e3\ns = hello\nv = 1.2.3\np = .33\nz = 012").Root;
        Assert.Equal(".33", Assert.IsType<HoconNumber>(root.Fields["p"]).Text);
        Assert.IsType<HoconString>(root.Fields["z"]);
        Assert.IsType<HoconBoolean>(root.Fields["t"]);
        Assert.IsType<HoconBoolean>(root.Fields["f"]);
        Assert.IsType<HoconNull>(root.Fields["n"]);
        Assert.Equal("42", Assert.IsType<HoconNumber>(root.Fields["i"]).Text);
        Assert.Equal("-1.5e3", Assert.IsType<HoconNumber>(root.Fields["d"]).Text);
        Assert.Equal("hello", Assert.IsType<HoconString>(root.Fields["s"]).Value);
        Assert.Equal("1.2.3", Assert.IsType<HoconString>(root.Fields["v"]).Value);
    }

    [Fact]
    public void Quoted_strings_decode_json_escapes()
    {
        var config = Parse("""s = "q\" b\\ s\/ n\n t\t u\u00e9 \u0041" """);
        Assert.Equal("q\" b\\ s/ n\n t\t u\u00e9 A", config.GetString("s"));
    }

    [Fact]
    public void Triple_quoted_strings_are_raw_and_may_span_lines()
    {
        var config = Parse("s = \"\"\"line \\n one\n\"quoted\" two\"\"\"\nt = \"\"\"ends with quote\"\"\"\"");
        Assert.Equal("line \\n one\n\"quoted\" two", config.GetString("s"));
        Assert.Equal("ends with quote\"", config.GetString("t"));
    }

    [Fact]
    public void String_concatenation_keeps_inner_whitespace()
    {
        var config = Parse("a = foo   bar \"baz\"  qux  \nb = 1 2\nc = 10s");
        Assert.Equal("foo   bar baz  qux", config.GetString("a"));
        Assert.Equal("1 2", config.GetString("b"));
        Assert.Equal("10s", config.GetString("c"));
    }

    [Fact]
    public void Arrays_concatenate_and_objects_merge_when_written_side_by_side()
    {
        var config = Parse("a = [1, 2] [3]\no = { x = 1 } { y = 2 }\nn = [\n  1\n  2\n]");
        Assert.Equal(["1", "2", "3"], config.GetStringList("a"));
        Assert.Equal(1, config.GetInt("o.x"));
        Assert.Equal(2, config.GetInt("o.y"));
        Assert.Equal(["1", "2"], config.GetStringList("n"));
    }

    [Fact]
    public void Nested_arrays_and_objects_in_arrays()
    {
        var root = Parse("a = [[1, 2], { x = y }, \"s\"]").Root;
        var array = Assert.IsType<HoconArray>(root.Fields["a"]);
        Assert.Equal(3, array.Items.Count);
        Assert.IsType<HoconArray>(array.Items[0]);
        Assert.Equal("y", Assert.IsType<HoconString>(Assert.IsType<HoconObject>(array.Items[1]).Fields["x"]).Value);
    }

    [Fact]
    public void Every_value_knows_its_file_line_and_column()
    {
        var root = Parse("a {\n  b = 42\n}\nc = [x]").Root;
        var b = ((HoconObject)root.Fields["a"]).Fields["b"];
        Assert.Equal(new HoconOrigin("test.conf", 2, 7), b.Origin);
        Assert.Equal(new HoconOrigin("test.conf", 4, 6), ((HoconArray)root.Fields["c"]).Items[0].Origin);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_whitespace()
    {
        var config = Parse("\uFEFFa {\r\n  b = x y\r\n}\r\nc = [1,\r\n2]\r\n");
        Assert.Equal("x y", config.GetString("a.b"));
        Assert.Equal(["1", "2"], config.GetStringList("c"));
    }

    [Fact]
    public void Keys_may_contain_inner_whitespace()
    {
        Assert.Equal(1, Parse("foo bar = 1").GetInt("\"foo bar\""));
    }
}
