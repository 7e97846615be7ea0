using System.Text;

namespace Replication.Hocon;

/// <summary>A path of object keys. Parsed from a path expression (`a.b."c.d"`) where only unquoted dots separate keys.</summary>
public sealed class HoconPath : IEquatable<HoconPath>
{
    public static readonly HoconPath Empty = new([]);

    private readonly string[] _keys;

    private HoconPath(string[] keys) => _keys = keys;

    public IReadOnlyList<string> Keys => _keys;

    public int Length => _keys.Length;

    public string this[int index] => _keys[index];

    public static HoconPath Of(params string[] keys) => new((string[])keys.Clone());

    /// <summary>Parses a path expression such as `replication.full-sync.segments` or `transform.rename."a.b"`.</summary>
    public static HoconPath Parse(string expression)
    {
        var origin = HoconOrigin.Of("path expression");
        var tokens = new Parsing.HoconTokenizer(expression, origin.Source).Tokenize();
        var pieces = new List<(string Text, bool Quoted)>();
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case Parsing.HoconTokenKind.Unquoted:
                case Parsing.HoconTokenKind.Whitespace:
                    pieces.Add((token.Text, false));
                    break;
                case Parsing.HoconTokenKind.Quoted:
                    pieces.Add((token.Text, true));
                    break;
                case Parsing.HoconTokenKind.End:
                    break;
                default:
                    throw new HoconException($"invalid path expression '{expression}': unexpected {token.Describe()}");
            }
        }

        return FromPieces(pieces, token: null, expression);
    }

    internal static HoconPath FromPieces(List<(string Text, bool Quoted)> pieces, Parsing.HoconToken? token, string description)
    {
        // Whitespace around a key is not part of it; whitespace between pieces is.
        int first = 0, last = pieces.Count - 1;
        while (first <= last && !pieces[first].Quoted && string.IsNullOrWhiteSpace(pieces[first].Text)) first++;
        while (last >= first && !pieces[last].Quoted && string.IsNullOrWhiteSpace(pieces[last].Text)) last--;
        if (first > last) Fail("a path expression cannot be empty");

        var keys = new List<string>();
        var current = new StringBuilder();
        var touched = false;
        for (var i = first; i <= last; i++)
        {
            var (text, quoted) = pieces[i];
            if (quoted)
            {
                current.Append(text);
                touched = true;
                continue;
            }

            var parts = text.Split('.');
            for (var p = 0; p < parts.Length; p++)
            {
                if (p > 0)
                {
                    if (!touched) Fail($"'{description}' has an empty key (two dots in a row, or a leading or trailing dot); quote a key that contains a dot");
                    keys.Add(current.ToString());
                    current.Clear();
                    touched = false;
                }

                if (parts[p].Length > 0)
                {
                    current.Append(parts[p]);
                    touched = true;
                }
            }
        }

        if (!touched) Fail($"'{description}' ends with a dot");
        keys.Add(current.ToString());
        return new HoconPath([.. keys]);

        void Fail(string message)
        {
            if (token is { } t) throw HoconException.At(t.Origin, message);
            throw new HoconException(message);
        }
    }

    public HoconPath Append(string key) => new([.. _keys, key]);

    public HoconPath Append(HoconPath other) => other.Length == 0 ? this : Length == 0 ? other : new([.. _keys, .. other._keys]);

    public HoconPath Parent => _keys.Length == 0 ? this : new(_keys[..^1]);

    public string Last => _keys[^1];

    public bool StartsWith(HoconPath prefix)
    {
        if (prefix.Length > Length) return false;
        for (var i = 0; i < prefix.Length; i++)
            if (!string.Equals(_keys[i], prefix._keys[i], StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>Renders the path so that <see cref="Parse"/> reads it back; keys that need it are quoted.</summary>
    public override string ToString() => string.Join('.', _keys.Select(RenderKey));

    internal static string RenderKey(string key) => NeedsQuotes(key) ? Quote(key) : key;

    internal static bool NeedsQuotes(string key)
    {
        if (key.Length == 0) return true;
        foreach (var c in key)
            if (c == '.' || Parsing.HoconTokenizer.IsForbiddenUnquoted(c) || Parsing.HoconTokenizer.IsWhitespace(c)) return true;
        return key.Contains("//", StringComparison.Ordinal) || key is "include" or "true" or "false" or "null";
    }

    internal static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ') builder.Append($"\\u{(int)c:x4}");
                    else builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    public bool Equals(HoconPath? other) => other is not null && _keys.AsSpan().SequenceEqual(other._keys);

    public override bool Equals(object? obj) => Equals(obj as HoconPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var key in _keys) hash.Add(key, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}
