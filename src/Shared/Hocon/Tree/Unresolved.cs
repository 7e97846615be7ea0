namespace Replication.Hocon;

/// <summary>`${path}` or `${?path}`, waiting for the whole stack of files to be merged.</summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(HoconPath path, bool optional, HoconPath fieldPath, HoconPath includePrefix, HoconOrigin origin,
        HoconValue? prior = null, bool priorCaptured = false) : base(origin)
    {
        Path = path;
        Optional = optional;
        FieldPath = fieldPath;
        IncludePrefix = includePrefix;
        Prior = prior;
        PriorCaptured = priorCaptured;
    }

    public HoconPath Path { get; }

    public bool Optional { get; }

    /// <summary>The absolute path of the field whose value holds this substitution.</summary>
    public HoconPath FieldPath { get; }

    /// <summary>Where the file holding the substitution was included; the path is looked up under it first.</summary>
    public HoconPath IncludePrefix { get; }

    /// <summary>For a self-reference (`a = ${a} …`): the value the field had before this assignment (null = none).</summary>
    public HoconValue? Prior { get; }

    public bool PriorCaptured { get; }

    public HoconPath LookupPath => IncludePrefix.Append(Path);

    /// <summary>A substitution of the field's own path (or of an enclosing path) means "the earlier value".</summary>
    public bool IsSelfReference => FieldPath.StartsWith(LookupPath) || FieldPath.StartsWith(Path);

    public HoconSubstitution WithPrior(HoconValue? prior) => new(Path, Optional, FieldPath, IncludePrefix, Origin, prior, priorCaptured: true);

    public override bool IsResolved => false;

    public override string KindName => "a substitution";

    public override string ToString() => Optional ? $"${{?{Path}}}" : $"${{{Path}}}";
}

/// <summary>Whitespace between the parts of a value concatenation; kept between strings, ignored between lists or objects.</summary>
internal sealed class HoconWhitespace(string text, HoconOrigin origin) : HoconValue(origin)
{
    public string Text { get; } = text;

    public override bool IsResolved => true;

    public override string KindName => "whitespace";
}

/// <summary>Values written side by side (`a b ${c}`, `${list} [x]`) that hold a substitution, joined once it is resolved.</summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconValue> parts, HoconOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Parts { get; } = parts;

    public override bool IsResolved => false;

    public override string KindName => "a concatenation";
}

/// <summary>A later value over an earlier one where one of them is unresolved, so which wins (or whether they merge) is decided after resolving.</summary>
internal sealed class HoconDelayedMerge(HoconValue newer, HoconValue older) : HoconValue(newer.Origin)
{
    public HoconValue Newer { get; } = newer;

    public HoconValue Older { get; } = older;

    public override bool IsResolved => false;

    public override string KindName => "a merge";
}
