namespace Replication.Hocon;

/// <summary>
/// Masks the credential-bearing parts of a connection string (<c>scheme://user:password@hosts/db?options</c>) so it can
/// be shown: the password in the user info, and the value of every option that carries a secret. A password may hold
/// an unescaped '@', ':' or '/', so the user info ends at the last '@' that is followed by a host list, not the first.
/// </summary>
public static class ConnectionStringRedaction
{
    public const string RedactedText = "<redacted>";

    // authMechanismProperties carries AWS_SESSION_TOKEN (MONGODB-AWS); the others are key-file passwords.
    private static readonly string[] SecretOptionWords = ["authmechanismproperties", "password", "secret", "token"];

    /// <summary>True for text that starts like a URI (<c>scheme://</c>); only such text is parsed.</summary>
    public static bool LooksLikeUri(string text) => SchemeEnd(text) > 0;

    /// <summary>The text with its secrets masked; text that is not a URI is returned unchanged.</summary>
    public static string Redact(string text)
    {
        var afterScheme = SchemeEnd(text);
        if (afterScheme < 0) return text;
        var at = UserInfoEnd(text, afterScheme);
        var start = text[..afterScheme];
        var userInfo = at < 0 ? "" : text[afterScheme..at];
        var rest = at < 0 ? text[afterScheme..] : text[(at + 1)..];
        var colon = userInfo.IndexOf(':');
        var shownUser = at < 0 ? "" : colon < 0 ? userInfo + "@" : userInfo[..colon] + ":" + RedactedText + "@";
        return start + shownUser + RedactOptions(rest);
    }

    /// <summary>The host list alone (<c>db1:27017,db2:27017</c>), fit for an error message; the whole text when it is not a URI.</summary>
    public static string Hosts(string text)
    {
        var afterScheme = SchemeEnd(text);
        if (afterScheme < 0) return text;
        var at = UserInfoEnd(text, afterScheme);
        var hosts = at < 0 ? text[afterScheme..] : text[(at + 1)..];
        var end = hosts.IndexOfAny(['/', '?']);
        return end < 0 ? hosts : hosts[..end];
    }

    private static int SchemeEnd(string text)
    {
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0) return -1;
        for (var i = 0; i < separator; i++)
        {
            var c = text[i];
            if (!(char.IsAsciiLetter(c) || (i > 0 && (char.IsAsciiDigit(c) || c is '+' or '.' or '-')))) return -1;
        }
        return separator + 3;
    }

    /// <summary>The index of the '@' that ends the user info: the last one followed by a plausible host list; -1 when none.</summary>
    private static int UserInfoEnd(string text, int afterScheme)
    {
        for (var at = text.LastIndexOf('@'); at >= afterScheme; at = at == 0 ? -1 : text.LastIndexOf('@', at - 1))
        {
            var end = text.IndexOfAny(['/', '?'], at + 1);
            var hosts = end < 0 ? text.AsSpan(at + 1) : text.AsSpan(at + 1, end - at - 1);
            if (IsHostList(hosts)) return at;
        }
        return -1;
    }

    private static bool IsHostList(ReadOnlySpan<char> hosts)
    {
        if (hosts.IsEmpty) return false;
        foreach (var c in hosts)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or ',' or '[' or ']' or '%')) return false;
        }
        return true;
    }

    private static string RedactOptions(string rest)
    {
        var question = rest.IndexOf('?');
        if (question < 0) return rest;
        var options = rest[(question + 1)..].Split('&');
        for (var i = 0; i < options.Length; i++)
        {
            var equals = options[i].IndexOf('=');
            if (equals <= 0 || equals == options[i].Length - 1) continue;
            var name = options[i][..equals];
            if (SecretOptionWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase)))
                options[i] = name + "=" + RedactedText;
        }
        return rest[..(question + 1)] + string.Join('&', options);
    }
}
