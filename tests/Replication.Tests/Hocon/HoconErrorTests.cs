using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconErrorTests
{
    private static string Fails(string text)
    {
        var error = Assert.Throws<HoconException>(() => HoconConfig.ParseString(text, "app.conf", _ => null));
        return error.Message;
    }

    [Fact]
    public void An_unclosed_object_names_where_it_was_opened()
    {
        Assert.Equal("app.conf:3:8: expected '}' to close the object opened at 1:13", Fails("replication {\n  a = 1\n  b = 2"));
    }

    [Fact]
    public void An_unclosed_array_names_where_it_was_opened()
    {
        Assert.StartsWith("app.conf:2:1: expected ']' to close the list opened at 1:5", Fails("a = [1, 2\n"));
    }

    [Fact]
    public void A_missing_separator_after_a_key_is_reported_at_the_token()
    {
        Assert.Equal("app.conf:2:6: expected '=', ':' or '{' after the key 'key', got a newline", Fails("a = 1\n  key\n"));
    }

    [Fact]
    public void A_forbidden_character_in_an_unquoted_string_is_reported()
    {
        Assert.Equal("app.conf:1:11: unexpected character '*' (not allowed in an unquoted string; put the value in double quotes)",
            Fails("pattern = *.x"));
    }

    [Fact]
    public void A_missing_value_is_reported()
    {
        Assert.Equal("app.conf:1:5: expected a value for 'a', got the end of the file", Fails("a = "));
    }

    [Fact]
    public void An_unterminated_string_and_a_bad_escape_are_reported()
    {
        Assert.Equal("app.conf:1:9: expected '\"' to close the string opened at 1:5", Fails("a = \"abc\nb = 1"));
        Assert.Equal("app.conf:1:8: invalid escape '\\q' in a quoted string (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", Fails("a = \"x\\q\""));
    }

    [Fact]
    public void Garbage_after_a_value_is_reported()
    {
        Assert.Equal("app.conf:1:9: expected ',' or a newline after a field, got '='", Fails("a = b c = d"));
    }

    [Fact]
    public void A_stray_closing_brace_is_reported()
    {
        Assert.Equal("app.conf:2:1: unexpected '}' (no object is open here)", Fails("a = 1\n}"));
    }

    [Fact]
    public void Concatenating_a_string_with_an_object_is_reported()
    {
        Assert.Contains("app.conf:1:5: cannot concatenate", Fails("a = x { b = 1 }"));
    }

    [Fact]
    public void An_empty_path_element_is_reported()
    {
        Assert.Contains("app.conf:1:1:", Fails("a..b = 1"));
    }
}
