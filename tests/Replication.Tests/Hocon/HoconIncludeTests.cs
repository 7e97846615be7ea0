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
    public void A_key_named_include_is_still_a_key()
    {
        var config = HoconConfig.ParseString("include = 1", "x.conf", _ => null);
        Assert.Equal(1, config.GetInt("include"));
    }
}
