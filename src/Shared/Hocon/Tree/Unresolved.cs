namespace Replication.Hocon;

/// <summary>`${path}` or `${?path}`, waiting for the whole stack of files to be merged.</summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(HoconPath path, bool optional, HoconPath fieldPath, HoconPath includePrefix, HoconOrigin origin,
        HoconValue? prior = null, HoconPath? priorPath = null) : base(origin)
    {
        Path = path;
        Optional = optional;
        FieldPath = fieldPath;
        IncludePrefix = includePrefix;
        Prior = prior;
        PriorPath = priorPath;
    }

    public HoconPath Path { get; }

    public bool Optional { get; }

    /// <summary>The absolute path of the field whose value holds this substitution.</summary>
    public HoconPath FieldPath { get; }

    /// <summary>Where the file holding the substitution was included; the path is looked up under it first.</summary>
    public HoconPath IncludePrefix { get; }

    /// <summary>
    /// For a self-reference: the value that <see cref="PriorPath"/> had before the assignment holding this substitution.
    /// The referenced value is found inside it at the rest of <see cref="LookupPath"/>.
    /// </summary>
    public HoconValue? Prior { get; }

    /// <summary>Where <see cref="Prior"/> was taken; null while no earlier value has been met.</summary>
    public HoconPath? PriorPath { get; }

    public bool PriorCaptured => PriorPath is not null;

    /// <summary>The path with the include fix-up applied: `${x}` in a file included at `a` means `${a.x}`.</summary>
    public HoconPath LookupPath => IncludePrefix.Append(Path);

    /// <summary>
    /// A substitution of the field's own path, of an enclosing path, or of a path inside the field's own value looks at the
    /// earlier value (`a = ${a} [x]`); anything else would be a cycle.
    /// </summary>
    public bool IsSelfReference => FieldPath.StartsWith(LookupPath) || LookupPath.StartsWith(FieldPath);

    public HoconSubstitution WithPrior(HoconValue older, HoconPath olderPath) =>
        new(Path, Optional, FieldPath, IncludePrefix, Origin, older, olderPath);

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
