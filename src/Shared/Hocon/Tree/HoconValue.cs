namespace Replication.Hocon;

/// <summary>A node of the configuration tree. Nodes are immutable; merging and resolving build new ones.</summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconOrigin origin) => Origin = origin;

    public HoconOrigin Origin { get; }

    /// <summary>False while the node, or something inside it, still holds a substitution.</summary>
    public abstract bool IsResolved { get; }

    /// <summary>The word used in messages: "a string", "an object", ….</summary>
    public abstract string KindName { get; }
}

public sealed class HoconString(string value, HoconOrigin origin) : HoconValue(origin)
{
    public string Value { get; } = value;

    public override bool IsResolved => true;

    public override string KindName => "a string";

    public override string ToString() => Value;
}

/// <summary>A number, kept as written so that 64-bit integers and long decimals lose nothing.</summary>
public sealed class HoconNumber(string text, HoconOrigin origin) : HoconValue(origin)
{
    public string Text { get; } = text;

    public override bool IsResolved => true;

    public override string KindName => "a number";

    public override string ToString() => Text;
}

public sealed class HoconBoolean(bool value, HoconOrigin origin) : HoconValue(origin)
{
    public bool Value { get; } = value;

    public override bool IsResolved => true;

    public override string KindName => "a boolean";

    public override string ToString() => Value ? "true" : "false";
}

public sealed class HoconNull(HoconOrigin origin) : HoconValue(origin)
{
    public override bool IsResolved => true;

    public override string KindName => "null";

    public override string ToString() => "null";
}
