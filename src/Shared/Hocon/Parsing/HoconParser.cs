using System.Globalization;
using System.Text.RegularExpressions;

namespace Replication.Hocon.Parsing;

/// <summary>
/// Recursive-descent parser from tokens to an unresolved tree. Duplicate keys merge as they are read; substitutions stay
/// in the tree until the whole stack of files is merged (see <see cref="HoconResolver"/>).
/// </summary>
internal sealed partial class HoconParser
{
    private readonly List<HoconToken> _tokens;
    private readonly HoconParseContext _context;
    private int _index;

    private HoconParser(List<HoconToken> tokens, HoconParseContext context)
    {
        _tokens = tokens;
        _context = context;
    }

    public static HoconObject Parse(string text, HoconParseContext context)
    {
        var tokens = new HoconTokenizer(text, context.Source).Tokenize();
        return new HoconParser(tokens, context).ParseDocument();
    }

    private HoconToken Peek => _tokens[_index];

    private HoconToken Take() => _tokens[_index++];

    private void SkipWhitespace()
    {
        while (Peek.Kind == HoconTokenKind.Whitespace) _index++;
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Peek.Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline) _index++;
    }

    private HoconObject ParseDocument()
    {
        SkipWhitespaceAndNewlines();
        HoconObject root;
        if (Peek.Kind == HoconTokenKind.OpenBrace)
        {
            root = ParseObjectBody(HoconPath.Empty, Take());
            SkipWhitespaceAndNewlines();
            if (Peek.Kind != HoconTokenKind.End)
                throw HoconException.At(Peek.Origin, $"expected the end of the file after the closing '}}', got {Peek.Describe()}");
        }
        else
        {
            root = ParseObjectBody(HoconPath.Empty, open: null);
        }

        return root;
    }

    /// <param name="path">Path of this object relative to the file's root.</param>
    /// <param name="open">The '{' that opened the object; null for a root without braces.</param>
    private HoconObject ParseObjectBody(HoconPath path, HoconToken? open)
    {
        var origin = open?.Origin ?? new HoconOrigin(_context.Source, 1, 1);
        var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        var absolute = _context.BasePath.Append(path);
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Peek;
            if (token.Kind == HoconTokenKind.CloseBrace)
            {
                if (open is null) throw HoconException.At(token.Origin, "unexpected '}' (no object is open here)");
                _index++;
                return new HoconObject(fields, origin);
            }

            if (token.Kind == HoconTokenKind.End)
            {
                if (open is not null)
                    throw HoconException.At(token.Origin, $"expected '}}' to close the object opened at {open.Origin.Line}:{open.Origin.Column}");
                return new HoconObject(fields, origin);
            }

            if (TryParseInclude(path, out var included))
            {
                foreach (var (key, value) in included.Fields) Add(fields, key, value, absolute);
            }
            else
            {
                var (key, value) = ParseField(path);
                Add(fields, key[0], HoconObject.Nest(key, value, from: 1), absolute);
            }

            SkipWhitespace();
            var after = Peek;
            switch (after.Kind)
            {
                case HoconTokenKind.Comma:
                    _index++;
                    SkipWhitespaceAndNewlines();
                    if (Peek.Kind == HoconTokenKind.Comma)
                        throw HoconException.At(Peek.Origin, "expected a key, got a second ','");
                    break;
                case HoconTokenKind.Newline:
                case HoconTokenKind.CloseBrace:
                case HoconTokenKind.End:
                    break;
                default:
                    throw HoconException.At(after.Origin, $"expected ',' or a newline after a field, got {after.Describe()}");
            }
        }
    }

    /// <summary>A repeated key merges with its earlier value, exactly as a later file merges with an earlier one.</summary>
    private static void Add(OrderedDictionary<string, HoconValue> fields, string key, HoconValue value, HoconPath objectPath) =>
        fields[key] = fields.TryGetValue(key, out var earlier) ? HoconMerge.Merge(earlier, value, objectPath.Append(key)) : value;

    private (HoconPath Key, HoconValue Value) ParseField(HoconPath objectPath)
    {
        var keyStart = Peek;
        var pieces = new List<(string Text, bool Quoted)>();
        while (true)
        {
            var token = Peek;
            if (token.Kind is HoconTokenKind.Unquoted or HoconTokenKind.Whitespace) pieces.Add((token.Text, false));
            else if (token.Kind == HoconTokenKind.Quoted) pieces.Add((token.Text, true));
            else break;
            _index++;
        }

        if (pieces.Count == 0)
            throw HoconException.At(keyStart.Origin, $"expected a key, got {keyStart.Describe()}");
        var keyText = string.Concat(pieces.Select(piece => piece.Text)).Trim();
        var key = HoconPath.FromPieces(pieces, keyStart, keyText);
        var fieldPath = _context.BasePath.Append(objectPath).Append(key);

        var separator = Peek;
        switch (separator.Kind)
        {
            case HoconTokenKind.OpenBrace:
                return (key, ParseValue(fieldPath, objectPath.Append(key), key));
            case HoconTokenKind.Equals or HoconTokenKind.Colon:
                _index++;
                SkipWhitespaceAndNewlines();
                return (key, ParseValue(fieldPath, objectPath.Append(key), key));
            case HoconTokenKind.PlusEquals:
            {
                _index++;
                SkipWhitespaceAndNewlines();
                var element = ParseValue(fieldPath, objectPath.Append(key), key);
                // `a += b` is `a = ${?a} [b]`.
                var self = new HoconSubstitution(fieldPath, optional: true, fieldPath, HoconPath.Empty, separator.Origin);
                var appended = new HoconArray([element], element.Origin);
                return (key, new HoconConcatenation([self, appended], separator.Origin));
            }
            default:
                throw HoconException.At(separator.Origin, $"expected '=', ':' or '{{' after the key '{keyText}', got {separator.Describe()}");
        }
    }

    /// <summary>Reads one value, which may be a concatenation of several parts on one line.</summary>
    private HoconValue ParseValue(HoconPath fieldPath, HoconPath localPath, HoconPath key)
    {
        var start = Peek;
        var parts = new List<HoconValue>();
        var unquoted = new List<HoconToken>();
        var hasSubstitution = false;
        while (true)
        {
            var token = Peek;
            HoconValue part;
            switch (token.Kind)
            {
                case HoconTokenKind.OpenBrace:
                    _index++;
                    part = ParseObjectBody(localPath, token);
                    break;
                case HoconTokenKind.OpenBracket:
                    _index++;
                    part = ParseArray(fieldPath, localPath, token, key);
                    break;
                case HoconTokenKind.Quoted:
                    _index++;
                    part = new HoconString(token.Text, token.Origin);
                    break;
                case HoconTokenKind.Unquoted:
                    _index++;
                    part = new HoconString(token.Text, token.Origin);
                    unquoted.Add(token);
                    break;
                case HoconTokenKind.Substitution:
                    _index++;
                    hasSubstitution = true;
                    part = new HoconSubstitution(token.SubstitutionPath!, token.OptionalSubstitution, fieldPath, _context.BasePath, token.Origin);
                    break;
                case HoconTokenKind.Whitespace when parts.Count > 0:
                    _index++;
                    part = new HoconWhitespace(token.Text, token.Origin);
                    break;
                default:
                    goto done;
            }

            parts.Add(part);
        }

        done:
        while (parts.Count > 0 && parts[^1] is HoconWhitespace) parts.RemoveAt(parts.Count - 1);
        if (parts.Count == 0)
            throw HoconException.At(start.Origin, $"expected a value for '{key}', got {start.Describe()}");
        if (parts.Count == 1 && unquoted.Count == 1) return Literal(unquoted[0]);
        if (parts.Count == 1) return parts[0];
        if (hasSubstitution) return new HoconConcatenation(parts, parts[0].Origin);
        return HoconConcatenationJoin.Join(parts, parts[0].Origin)!;
    }

    private HoconArray ParseArray(HoconPath fieldPath, HoconPath localPath, HoconToken open, HoconPath key)
    {
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Peek;
            if (token.Kind == HoconTokenKind.CloseBracket)
            {
                _index++;
                return new HoconArray(items, open.Origin);
            }

            if (token.Kind == HoconTokenKind.End)
                throw HoconException.At(token.Origin, $"expected ']' to close the list opened at {open.Origin.Line}:{open.Origin.Column}");
            items.Add(ParseValue(fieldPath, localPath, key));
            SkipWhitespace();
            var after = Peek;
            switch (after.Kind)
            {
                case HoconTokenKind.Comma:
                    _index++;
                    SkipWhitespaceAndNewlines();
                    if (Peek.Kind == HoconTokenKind.Comma)
                        throw HoconException.At(Peek.Origin, "expected a list element, got a second ','");
                    break;
                case HoconTokenKind.Newline:
                case HoconTokenKind.CloseBracket:
                    break;
                case HoconTokenKind.End:
                    throw HoconException.At(after.Origin, $"expected ']' to close the list opened at {open.Origin.Line}:{open.Origin.Column}");
                default:
                    throw HoconException.At(after.Origin, $"expected ',' or ']' after a list element, got {after.Describe()}");
            }
        }
    }

    /// <summary>A lone unquoted token: true, false, null, a number, or else a string.</summary>
    private static HoconValue Literal(HoconToken token) => token.Text switch
    {
        "true" => new HoconBoolean(true, token.Origin),
        "false" => new HoconBoolean(false, token.Origin),
        "null" => new HoconNull(token.Origin),
        _ when JsonNumber().IsMatch(token.Text) => new HoconNumber(token.Text, token.Origin),
        _ => new HoconString(token.Text, token.Origin),
    };

    // JSON numbers, plus a leading-dot fraction (`.33`) as Lightbend config reads it.
    [GeneratedRegex(@"^-?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    internal static bool IsNumber(string text) => JsonNumber().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
