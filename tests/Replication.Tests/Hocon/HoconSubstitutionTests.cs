using Replication.Hocon;
using Replication.Hocon.Parsing;

namespace Replication.Tests.Hocon;

public sealed class HoconSubstitutionTests
{
    private static HoconConfig Parse(string text, Func<string, string?>? environment = null) =>
        HoconConfig.ParseString(text, "app.conf", environment ?? (_ => null));

    [Fact]
    public void Substitutions_resolve_after_the_whole_document_including_later_keys()
    {
        var config = Parse("a = ${b.c}\nb.c = 42\nd = ${b}\nbar { foo = 1, baz = ${bar.foo} }");
        Assert.Equal(42, config.GetInt("a"));
        Assert.Equal(42, config.GetInt("d.c"));
        Assert.Equal(1, config.GetInt("bar.baz"));
        Assert.IsType<HoconNumber>(config.Root.Fields["a"]);
    }

    [Fact]
    public void Substitutions_resolve_to_the_final_merged_value()
    {
        var config = Parse("a = 1\nb = ${a}\na = 2");
        Assert.Equal(2, config.GetInt("b"));
    }

    [Fact]
    public void Substitutions_concatenate_with_strings()
    {
        var config = Parse("host = db1\nport = 27017\nuri = \"mongodb://\"${host}\":\"${port}/x\ngreeting = hello ${host}  ok");
        Assert.Equal("mongodb://db1:27017/x", config.GetString("uri"));
        Assert.Equal("hello db1  ok", config.GetString("greeting"));
    }

    [Fact]
    public void A_null_substitution_joins_as_an_empty_string_but_keeps_its_type_alone()
    {
        var config = Parse("n = null\ns = a${n}b\nalone = ${n}");
        Assert.Equal("ab", config.GetString("s"));
        Assert.IsType<HoconNull>(config.Root.Fields["alone"]);
    }

    [Fact]
    public void A_null_in_the_configuration_blocks_the_environment_and_an_empty_variable_counts_as_unset()
    {
        var config = Parse("HOME = null\nh = ${?HOME}\ne = ${?EMPTY}", name => name == "HOME" ? "/root" : "");
        Assert.False(config.HasPath("h"));
        Assert.False(config.HasPath("e"));
    }

    [Fact]
    public void Self_reference_appends_to_the_earlier_list()
    {
        var config = Parse("path = [a]\npath = ${path} [b]\npath = ${path} [c]");
        Assert.Equal(["a", "b", "c"], config.GetStringList("path"));
    }

    [Fact]
    public void Self_references_reach_into_and_out_of_the_field()
    {
        var config = Parse("""
            a { b { c = [1] }, x = ${a.b.c} }
            a.b.c = ${a.b.c} [2]
            foo { bar = 5 }
            foo = ${foo.bar}
            outer { keep = 1 }
            outer.inner = ${outer}
            """);
        Assert.Equal(["1", "2"], config.GetStringList("a.b.c"));
        Assert.Equal(["1", "2"], config.GetStringList("a.x"));
        Assert.Equal(5, config.GetInt("foo"));
        Assert.Equal(1, config.GetInt("outer.inner.keep"));
        Assert.Equal(1, config.GetInt("outer.keep"));
    }

    [Fact]
    public void Plus_equals_appends_and_starts_a_list_when_there_is_none()
    {
        var config = Parse("x = [1]\nx += 2\ny += a\ny += b");
        Assert.Equal(["1", "2"], config.GetStringList("x"));
        Assert.Equal(["a", "b"], config.GetStringList("y"));
    }

    [Fact]
    public void Self_reference_reaches_the_earlier_value_across_layers()
    {
        var reference = HoconDocument.ParseText("p = [r]\no { a = 1 }\ns = base", "reference.conf");
        var app = HoconDocument.ParseText("p = ${p} [u]\no = ${o} { b = 2 }\ns = ${s}-more\np += v", "app.conf");
        var config = HoconConfig.Resolve([reference, app], _ => null);
        Assert.Equal(["r", "u", "v"], config.GetStringList("p"));
        Assert.Equal(1, config.GetInt("o.a"));
        Assert.Equal(2, config.GetInt("o.b"));
        Assert.Equal("base-more", config.GetString("s"));
    }

    [Fact]
    public void Objects_merge_with_a_substituted_object()
    {
        var config = Parse("defaults { x = 1, y = 1 }\nc = ${defaults} { y = 2 }\nd = ${defaults}\nd { z = 3 }");
        Assert.Equal(1, config.GetInt("c.x"));
        Assert.Equal(2, config.GetInt("c.y"));
        Assert.Equal(1, config.GetInt("d.x"));
        Assert.Equal(3, config.GetInt("d.z"));
    }

    [Fact]
    public void Optional_substitution_falls_back_to_the_environment()
    {
        var name = "HOCON_TEST_REGION_" + Guid.NewGuid().ToString("N");
        var text = $"region = \"us-east-1\"\nregion = ${{?{name}}}";
        Assert.Equal("us-east-1", HoconConfig.ParseString(text, "app.conf").GetString("region"));

        Environment.SetEnvironmentVariable(name, "eu-west-3");
        try
        {
            var config = HoconConfig.ParseString(text, "app.conf");
            Assert.Equal("eu-west-3", config.GetString("region"));
            Assert.Equal($"environment variable {name}", config.GetValue("region")!.Origin.Source);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Required_substitution_also_falls_back_to_the_environment()
    {
        var config = Parse("home = ${HOME_DIR}", name => name == "HOME_DIR" ? "/home/x" : null);
        Assert.Equal("/home/x", config.GetString("home"));
    }

    [Fact]
    public void An_undefined_optional_substitution_disappears()
    {
        var config = Parse("a = ${?NOPE}\nlist = [1, ${?NOPE}, 2]\ns = x${?NOPE}y\no { k = ${?NOPE} }");
        Assert.False(config.HasPath("a"));
        Assert.Equal(["1", "2"], config.GetStringList("list"));
        Assert.Equal("xy", config.GetString("s"));
        Assert.Empty(config.GetKeys("o"));
    }

    [Fact]
    public void A_config_value_wins_over_the_environment()
    {
        var config = Parse("PATHX = inside\nv = ${PATHX}", _ => "outside");
        Assert.Equal("inside", config.GetString("v"));
    }

    [Fact]
    public void An_unresolvable_substitution_names_its_place()
    {
        var error = Assert.Throws<HoconException>(() => Parse("a = 1\nb = ${missing.key}"));
        Assert.Equal("app.conf:2:5: could not resolve ${missing.key}: no such key in the configuration and no environment variable missing.key",
            error.Message);
    }

    [Fact]
    public void A_cycle_is_an_error_that_shows_the_chain()
    {
        var error = Assert.Throws<HoconException>(() => Parse("a = ${b}\nb = ${c}\nc = ${a}"));
        Assert.Contains("substitution cycle", error.Message);
        Assert.Contains("${b} at app.conf:1:5", error.Message);
        Assert.Contains("${c} at app.conf:2:5", error.Message);
        Assert.Contains("${a} at app.conf:3:5", error.Message);
    }

    [Fact]
    public void A_self_reference_with_no_earlier_value_is_an_error_unless_optional()
    {
        var error = Assert.Throws<HoconException>(() => Parse("a = ${a} [1]"));
        Assert.Contains("refers to its own earlier value", error.Message);
        Assert.Equal(["1"], Parse("a = ${?a} [1]").GetStringList("a"));
    }
}
