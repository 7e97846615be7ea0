using System.Collections;

namespace Replication.Bson;

/// <summary>An ordered, mutable document of the value model. Duplicate names are kept as BSON allows them.</summary>
public sealed record BsonDocument : BsonValue, IEnumerable<KeyValuePair<string, BsonValue>>
{
    private readonly List<KeyValuePair<string, BsonValue>> _elements = [];

    public BsonDocument() { }

    public BsonDocument(IEnumerable<KeyValuePair<string, BsonValue>> elements) => _elements.AddRange(elements);

    public override BsonType Type => BsonType.Document;
    public int Count => _elements.Count;
    public IReadOnlyList<KeyValuePair<string, BsonValue>> Elements => _elements;
    public IEnumerable<string> Names => _elements.Select(e => e.Key);

    /// <summary>Collection-initializer support: <c>new BsonDocument { { "a", 1 } }</c>.</summary>
    public void Add(string name, BsonValue value) => _elements.Add(new(name, value));

    public BsonValue? this[string name]
    {
        get => TryGetValue(name, out var v) ? v : null;
        set
        {
            var i = IndexOf(name);
            if (value is null)
            {
                if (i >= 0) _elements.RemoveAt(i);
            }
            else if (i >= 0) _elements[i] = new(name, value);
            else _elements.Add(new(name, value));
        }
    }

    public int IndexOf(string name) => _elements.FindIndex(e => e.Key == name);
    public bool Contains(string name) => IndexOf(name) >= 0;
    public bool Remove(string name) => _elements.RemoveAll(e => e.Key == name) > 0;
    public void Insert(int index, string name, BsonValue value) => _elements.Insert(index, new(name, value));

    public bool TryGetValue(string name, out BsonValue value)
    {
        foreach (var e in _elements)
        {
            if (e.Key == name)
            {
                value = e.Value;
                return true;
            }
        }
        value = null!;
        return false;
    }

    public static BsonDocument Parse(ReadOnlySpan<byte> bytes) => FromReader(new BsonDocumentReader(bytes));

    public static BsonDocument FromReader(BsonDocumentReader reader)
    {
        var doc = new BsonDocument();
        foreach (var e in reader) doc._elements.Add(new(e.Name, FromElement(e)));
        return doc;
    }

    public byte[] ToBytes()
    {
        using var w = new BsonWriter();
        WriteDocument(w);
        return w.ToArray();
    }

    /// <summary>Writes this document as a top-level document, or as the value of a pending name.</summary>
    public override void WriteTo(BsonWriter writer) => WriteDocument(writer);

    private void WriteDocument(BsonWriter writer)
    {
        writer.WriteStartDocument();
        foreach (var (name, value) in _elements)
        {
            writer.WriteName(name);
            value.WriteTo(writer);
        }
        writer.WriteEndDocument();
    }

    public bool Equals(BsonDocument? other) =>
        other is not null && _elements.Count == other._elements.Count &&
        _elements.Zip(other._elements).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

    public override int GetHashCode() => _elements.Count;

    public IEnumerator<KeyValuePair<string, BsonValue>> GetEnumerator() => _elements.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed record BsonArray : BsonValue, IEnumerable<BsonValue>
{
    private readonly List<BsonValue> _items = [];

    public BsonArray() { }
    public BsonArray(IEnumerable<BsonValue> items) => _items.AddRange(items);

    public override BsonType Type => BsonType.Array;
    public int Count => _items.Count;
    public IReadOnlyList<BsonValue> Items => _items;
    public BsonValue this[int index] { get => _items[index]; set => _items[index] = value; }
    public void Add(BsonValue value) => _items.Add(value);
    public void RemoveAt(int index) => _items.RemoveAt(index);

    public static BsonArray FromReader(BsonDocumentReader reader)
    {
        var array = new BsonArray();
        foreach (var e in reader) array._items.Add(FromElement(e));
        return array;
    }

    public override void WriteTo(BsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var v in _items) v.WriteTo(writer);
        writer.WriteEndArray();
    }

    public bool Equals(BsonArray? other) => other is not null && _items.SequenceEqual(other._items);
    public override int GetHashCode() => _items.Count;

    public IEnumerator<BsonValue> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
