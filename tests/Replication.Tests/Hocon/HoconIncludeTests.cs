using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconIncludeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hocon-include-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string relativePath, string text)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Include_is_relative_to_the_including_file_and_later_keys_override_it()
    {
        Write("conf/base.conf", "a = 1\nb = 1\nnested { x = 1 }");
        var app = Write("conf/app.conf", "include \"base.conf\"\nb = 2\nnested.y = 2");
        var config = HoconConfig.ParseFile(app, _ => null);
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(1, config.GetInt("nested.x"));
        Assert.Equal(2, config.GetInt("nested.y"));
        Assert.EndsWith(Path.Combine("conf", "base.conf"), config.GetValue("a")!.Origin.Source);
        Assert.Equal(1, config.GetValue("a")!.Origin.Line);
    }

    [Fact]
    public void Include_file_form_and_includes_of_includes()
    {
        Write("inner/deep.conf", "deep = yes");
        Write("inner/mid.conf", "include file(\"deep.conf\")\nmid = 1");
        var app = Write("app.conf", "include file(\"inner/mid.conf\")");
        var config = HoconConfig.ParseFile(app, _ => null);
        Assert.True(config.GetBoolean("deep"));
        Assert.Equal(1, config.GetInt("mid"));
    }

    [Fact]
    public void A_missing_include_is_ignored_but_a_required_one_is_an_error()
    {
        var app = Write("app.conf", "include \"nope.conf\"\na = 1");
        Assert.Equal(1, HoconConfig.ParseFile(app, _ => null).GetInt("a"));

        var strict = Write("strict.conf", "a = 1\ninclude required(\"nope.conf\")");
        var error = Assert.Throws<HoconException>(() => HoconConfig.ParseFile(strict, _ => null));
        Assert.StartsWith($"{strict}:2:18: required include \"nope.conf\" not found", error.Message);
    }

    [Fact]
    public void Include_inside_an_object_nests_the_keys_and_resolves_substitutions_there_first()
    {
        Write("db.conf", "host = h1\nuri = \"mongodb://\"${host}");
        var app = Write("app.conf", "host = outer\ntarget { include \"db.conf\" }\nother = ${host}");
        var config = HoconConfig.ParseFile(app, _ => null);
        Assert.Equal("h1", config.GetString("target.host"));
        Assert.Equal("mongodb://h1", config.GetString("target.uri"));
        Assert.Equal("outer", config.GetString("other"));
    }

    [Fact]
    public void An_include_cycle_is_an_error()
    {
        Write("a.conf", "include \"b.conf\"");
        Write("b.conf", "include \"a.conf\"");
        var error = Assert.Throws<HoconException>(() => HoconConfig.ParseFile(Path.Combine(_directory, "a.conf"), _ => null));
        Assert.Contains("include cycle: a.conf -> b.conf -> a.conf", error.Message);
    }

    [Fact]
    public void Include_is_a_key_when_quoted_not_first_or_followed_by_a_separator()
    {
        var config = HoconConfig.ParseString("\"include\" = 1\nfoo include = 2\nv = include\nfilter { include = [a], exclude = [] }", "x.conf", _ => null);
        Assert.Equal(1, config.GetInt("\"include\""));
        Assert.Equal(2, config.GetInt("\"foo include\""));
        Assert.Equal("include", config.GetString("v"));
        Assert.Equal(["a"], config.GetStringList("filter.include"));
        var error = Assert.Throws<HoconException>(() => HoconConfig.ParseString("include 5", "x.conf", _ => null));
        Assert.Equal("x.conf:1:9: expected a quoted file name after 'include', got '5' (write \"include\" in quotes to use it as a key)", error.Message);
    }

    [Fact]
    public void Include_may_be_followed_by_a_newline_and_a_name_without_extension_reads_the_conf_file()
    {
        Write("part.conf", "p = 1");
        var app = Write("app.conf", "include\n  \"part\"\nq = 2");
        var config = HoconConfig.ParseFile(app, _ => null);
        Assert.Equal(1, config.GetInt("p"));
        Assert.Equal(2, config.GetInt("q"));
    }
}
