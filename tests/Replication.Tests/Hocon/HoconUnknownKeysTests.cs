using Replication.Hocon;
using Replication.Hocon.Parsing;

namespace Replication.Tests.Hocon;

public sealed class HoconUnknownKeysTests
{
    private const string Reference = """
        replication {
          full-sync { segments = 4, page-size = 0 }
          transform { rename {} }
          management.http { port = 8558 }
        }
        other { anything = 1 }
        """;

    private static IReadOnlyList<HoconWarning> Check(string app)
    {
        var reference = HoconDocument.ParseText(Reference, "reference.conf");
        var user = HoconDocument.ParseText(app, "app.conf");
        return HoconConfig.FindUnknownKeys(HoconConfig.Resolve([reference]), HoconConfig.Resolve([reference, user]), "replication");
    }

    [Fact]
    public void A_typo_is_a_warning_with_file_line_and_a_suggestion()
    {
        var warnings = Check("replication {\n  full-sync {\n    segmnets = 8\n  }\n}");
        var warning = Assert.Single(warnings);
        Assert.Equal("replication.full-sync.segmnets", warning.Path);
        Assert.Equal("replication.full-sync.segments", warning.Suggestion);
        Assert.Equal("app.conf:3: unknown key 'replication.full-sync.segmnets' (did you mean 'replication.full-sync.segments'?)", warning.Message);
    }

    [Fact]
    public void An_unknown_section_is_reported_once_at_its_first_line_and_far_names_get_no_suggestion()
    {
        var warnings = Check("replication.managment.http.port = 1\nreplication.zzzzzz = 1");
        Assert.Equal(2, warnings.Count);
        Assert.Equal("replication.managment", warnings[0].Path);
        Assert.Equal("replication.management", warnings[0].Suggestion);
        Assert.Equal(1, warnings[0].Origin.Line);
        Assert.Null(warnings[1].Suggestion);
    }

    [Fact]
    public void A_key_in_the_wrong_section_suggests_where_it_belongs()
    {
        var warning = Assert.Single(Check("replication.segments = 8"));
        Assert.Equal("replication.full-sync.segments", warning.Suggestion);
    }

    [Fact]
    public void Free_form_maps_and_keys_outside_the_checked_root_are_not_warned()
    {
        Assert.Empty(Check("replication.transform.rename { Orders = orders, \"a.b\" = c }\nunrelated = 1\nreplication.full-sync.segments = 2"));
    }

    [Fact]
    public void A_swap_of_two_letters_still_finds_the_suggestion()
    {
        var warning = Assert.Single(HoconConfig.FindUnknownKeys(
            HoconConfig.ParseString("r { port = 1 }", "ref", _ => null),
            HoconConfig.ParseString("r { prot = 1 }", "app", _ => null), "r"));
        Assert.Equal("r.port", warning.Suggestion);
    }
}
