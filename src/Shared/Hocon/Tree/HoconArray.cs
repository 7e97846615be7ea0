namespace Replication.Hocon;

public sealed class HoconArray : HoconValue
{
    public HoconArray(IReadOnlyList<HoconValue> items, HoconOrigin origin) : base(origin)
    {
        Items = [.. items];
        IsResolved = items.All(item => item.IsResolved);
    }

    public IReadOnlyList<HoconValue> Items { get; }

    public override bool IsResolved { get; }

    public override string KindName => "a list";
}
