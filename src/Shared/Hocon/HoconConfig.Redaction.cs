using System.Text.RegularExpressions;

namespace Replication.Hocon;

public sealed partial class HoconConfig
{
    public const string RedactedText = ConnectionStringRedaction.RedactedText;

    private static readonly string[] SecretKeyWords = ["password", "passwd", "secret", "token", "credential", "private-key", "access-key", "apikey", "api-key"];

    /// <summary>
    /// A copy fit to show (check-config, GET /conf): values of keys that name a secret are masked, and so are a URI's
    /// password and secret options (<see cref="ConnectionStringRedaction"/>). Empty values stay visible, since "not set" is not a secret.
    /// </summary>
    public HoconConfig Redacted() => new((HoconObject)Redact(Root, key: null), _prefix);

    public string Render(bool withOrigins = false) => HoconRenderer.Render(Root, withOrigins);

    private static HoconValue Redact(HoconValue value, string? key)
    {
        switch (value)
        {
            case HoconObject obj:
            {
                var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
                foreach (var (name, field) in obj.Fields) fields[name] = Redact(field, name);
                return new HoconObject(fields, obj.Origin);
            }
            case HoconArray array:
                return new HoconArray(array.Items.Select(item => Redact(item, key)).ToList(), array.Origin);
            case HoconNull:
                return value;
            case HoconString { Value.Length: 0 }:
                return value;
            case not HoconObject when key is not null && IsSecretKey(key):
                return new HoconString(RedactedText, value.Origin);
            case HoconString s when ConnectionStringRedaction.LooksLikeUri(s.Value):
                return new HoconString(ConnectionStringRedaction.Redact(s.Value), s.Origin);
            case HoconString s when UriPassword().IsMatch(s.Value):
                return new HoconString(UriPassword().Replace(s.Value, "${scheme}${user}:" + RedactedText + "@"), s.Origin);
            default:
                return value;
        }
    }

    /// <summary>True for a key whose value is a secret (a password, key or token) and must never be shown.</summary>
    public static bool IsSecretKey(string key) =>
        SecretKeyWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<user>[^:/@\s]*):[^@/\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();
}
