namespace Replication.Hocon;

/// <summary>Where a value was written: a file (or another described source such as an environment variable), line and column, 1-based.</summary>
public readonly record struct HoconOrigin(string Source, int Line, int Column)
{
    public static HoconOrigin Of(string source) => new(source, 0, 0);

    /// <summary>`file:line`, the form used in messages about values.</summary>
    public string ToShortString() => Line > 0 ? $"{Source}:{Line}" : Source;

    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}
