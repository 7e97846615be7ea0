namespace Replication.Hocon.Parsing;

internal enum HoconTokenKind
{
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Comma,
    Equals,
    Colon,
    PlusEquals,
    Newline,
    Whitespace,
    Unquoted,
    Quoted,
    Substitution,
    End,
}

internal sealed record HoconToken(HoconTokenKind Kind, string Text, HoconOrigin Origin)
{
    public HoconPath? SubstitutionPath { get; init; }

    public bool OptionalSubstitution { get; init; }

    public string Describe() => Kind switch
    {
        HoconTokenKind.Newline => "a newline",
        HoconTokenKind.End => "the end of the file",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.Quoted => $"the string \"{Text}\"",
        HoconTokenKind.Unquoted => $"'{Text}'",
        HoconTokenKind.Substitution => $"the substitution {Text}",
        _ => $"'{Text}'",
    };
}
