using System.Globalization;
using System.Text;

namespace Replication.Hocon.Parsing;

/// <summary>Turns HOCON text into tokens. Comments are dropped; the newline that ends them is kept, because newlines separate fields.</summary>
internal sealed class HoconTokenizer(string text, string source)
{
    private int _position;
    private int _line = 1;
    private int _column = 1;

    /// <summary>Characters the spec forbids in unquoted strings.</summary>
    public static bool IsForbiddenUnquoted(char c) => c is '$' or '"' or '{' or '}' or '[' or ']' or ':' or '=' or ',' or '+' or '#'
        or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\';

    public static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    public List<HoconToken> Tokenize()
    {
        var tokens = new List<HoconToken>();
        while (true)
        {
            var token = Next();
            if (token is null) continue;
            tokens.Add(token);
            if (token.Kind == HoconTokenKind.End) return tokens;
        }
    }

    private HoconOrigin Here => new(source, _line, _column);

    private char Peek(int ahead = 0) => _position + ahead < text.Length ? text[_position + ahead] : '\0';

    private bool AtEnd => _position >= text.Length;

    private char Advance()
    {
        var c = text[_position++];
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        return c;
    }

    private HoconToken Simple(HoconTokenKind kind, int length)
    {
        var origin = Here;
        var value = text.Substring(_position, length);
        for (var i = 0; i < length; i++) Advance();
        return new HoconToken(kind, value, origin);
    }

    private HoconToken? Next()
    {
        if (AtEnd) return new HoconToken(HoconTokenKind.End, "", Here);
        var c = Peek();
        switch (c)
        {
            case '#':
                SkipComment();
                return null;
            case '/' when Peek(1) == '/':
                SkipComment();
                return null;
            case '\n': return Simple(HoconTokenKind.Newline, 1);
            case '{': return Simple(HoconTokenKind.OpenBrace, 1);
            case '}': return Simple(HoconTokenKind.CloseBrace, 1);
            case '[': return Simple(HoconTokenKind.OpenBracket, 1);
            case ']': return Simple(HoconTokenKind.CloseBracket, 1);
            case ',': return Simple(HoconTokenKind.Comma, 1);
            case '=': return Simple(HoconTokenKind.Equals, 1);
            case ':': return Simple(HoconTokenKind.Colon, 1);
            case '+' when Peek(1) == '=': return Simple(HoconTokenKind.PlusEquals, 2);
            case '"': return ReadQuoted();
            case '$' when Peek(1) == '{': return ReadSubstitution();
        }

        if (IsWhitespace(c))
        {
            var origin = Here;
            var start = _position;
            while (!AtEnd && IsWhitespace(Peek())) Advance();
            return new HoconToken(HoconTokenKind.Whitespace, text[start.._position], origin);
        }

        if (IsForbiddenUnquoted(c))
        {
            var hint = c switch
            {
                '$' => "; a substitution is written ${path}",
                '+' => "; '+=' appends to a list",
                _ => "; put the value in double quotes",
            };
            throw HoconException.At(Here, $"unexpected character '{c}' (not allowed in an unquoted string{hint})");
        }

        return ReadUnquoted();
    }

    private void SkipComment()
    {
        while (!AtEnd && Peek() != '\n') Advance();
    }

    private HoconToken ReadUnquoted()
    {
        var origin = Here;
        var start = _position;
        while (!AtEnd)
        {
            var c = Peek();
            if (IsWhitespace(c) || c == '\n' || IsForbiddenUnquoted(c) || (c == '/' && Peek(1) == '/')) break;
            Advance();
        }

        return new HoconToken(HoconTokenKind.Unquoted, text[start.._position], origin);
    }

    private HoconToken ReadQuoted()
    {
        var origin = Here;
        if (Peek(1) == '"' && Peek(2) == '"') return ReadTripleQuoted(origin);
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
                throw HoconException.At(Here, $"expected '\"' to close the string opened at {origin.Line}:{origin.Column}");
            var c = Advance();
            if (c == '"') break;
            if (c != '\\')
            {
                if (c < ' ' && c != '\t') throw HoconException.At(Here, $"control character U+{(int)c:X4} inside a quoted string; write it as an escape");
                builder.Append(c);
                continue;
            }

            var escapeOrigin = Here;
            if (AtEnd) throw HoconException.At(escapeOrigin, "expected an escape character after '\\'");
            var e = Advance();
            switch (e)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > text.Length ||
                        !int.TryParse(text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        throw HoconException.At(escapeOrigin, "expected four hex digits after '\\u'");
                    for (var i = 0; i < 4; i++) Advance();
                    builder.Append((char)code);
                    break;
                default:
                    throw HoconException.At(escapeOrigin, $"invalid escape '\\{e}' in a quoted string (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
        }

        return new HoconToken(HoconTokenKind.Quoted, builder.ToString(), origin);
    }

    private HoconToken ReadTripleQuoted(HoconOrigin origin)
    {
        for (var i = 0; i < 3; i++) Advance();
        var start = _position;
        while (true)
        {
            if (AtEnd) throw HoconException.At(Here, $"expected '\"\"\"' to close the string opened at {origin.Line}:{origin.Column}");
            if (Peek() == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                // Quotes right before the closing three belong to the string: """a""""" is a"".
                while (Peek(3) == '"') Advance();
                var value = text[start.._position];
                for (var i = 0; i < 3; i++) Advance();
                return new HoconToken(HoconTokenKind.Quoted, value, origin);
            }

            Advance();
        }
    }

    private HoconToken ReadSubstitution()
    {
        var origin = Here;
        var start = _position;
        Advance();
        Advance();
        var optional = false;
        if (Peek() == '?')
        {
            optional = true;
            Advance();
        }

        var pieces = new List<(string Text, bool Quoted)>();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
                throw HoconException.At(Here, $"expected '}}' to close the substitution opened at {origin.Line}:{origin.Column}");
            var c = Peek();
            if (c == '}')
            {
                Advance();
                break;
            }

            if (c == '"') pieces.Add((ReadQuoted().Text, true));
            else if (IsWhitespace(c)) pieces.Add((Simple(HoconTokenKind.Whitespace, 1).Text, false));
            else if (IsForbiddenUnquoted(c)) throw HoconException.At(Here, $"unexpected character '{c}' in a substitution path");
            else pieces.Add((ReadUnquoted().Text, false));
        }

        var raw = text[start.._position];
        var token = new HoconToken(HoconTokenKind.Substitution, raw, origin);
        return token with { SubstitutionPath = HoconPath.FromPieces(pieces, token, raw), OptionalSubstitution = optional };
    }
}
