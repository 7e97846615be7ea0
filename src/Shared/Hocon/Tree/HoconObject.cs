namespace Replication.Hocon;

/// <summary>An object; fields keep the order in which their keys first appeared.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields;

    public HoconObject(IEnumerable<KeyValuePair<string, HoconValue>> fields, HoconOrigin origin)
        : this(new OrderedDictionary<string, HoconValue>(fields, StringComparer.Ordinal), origin)
    {
    }

    /// <summary>Takes ownership of <paramref name="fields"/>: the caller must not change it afterwards.</summary>
    internal HoconObject(OrderedDictionary<string, HoconValue> fields, HoconOrigin origin) : base(origin)
    {
        _fields = fields;
        IsResolved = fields.Values.All(value => value.IsResolved);
    }

    public static HoconObject Empty(HoconOrigin origin) => new(new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal), origin);

    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    public override bool IsResolved { get; }

    public override string KindName => "an object";

    public bool TryGetField(string key, out HoconValue value) => _fields.TryGetValue(key, out value!);

    /// <summary>The value at <paramref name="path"/> in a resolved tree, or null when a key on the way is absent.</summary>
    public HoconValue? Find(HoconPath path)
    {
        HoconValue current = this;
        foreach (var key in path.Keys)
        {
            if (current is not HoconObject obj || !obj.TryGetField(key, out var next)) return null;
            current = next;
        }

        return current;
    }

    /// <summary>Wraps <paramref name="value"/> in one object per key of <paramref name="path"/>: `a.b = 1` is `a { b = 1 }`.</summary>
    internal static HoconValue Nest(HoconPath path, HoconValue value, int from = 0)
    {
        for (var i = path.Length - 1; i >= from; i--)
        {
            var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal) { [path[i]] = value };
            value = new HoconObject(fields, value.Origin);
        }

        return value;
    }
}
