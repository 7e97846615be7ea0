using System.Buffers.Binary;
using System.Text;

namespace Replication.Bson;

/// <summary>
/// Zero-copy, forward-only view of one BSON document (or array) over a span. Enumerating yields
/// <see cref="BsonElement"/>s whose values are slices of the original bytes. Every length is bounds-checked
/// as elements are read, and string terminators with them; the typed accessors check what they decode (UTF-8,
/// booleans, the old binary subtype). Nothing checks a nested document before it is read, and the bytes after the
/// declared length are not this reader's (a wire message or a sequence goes on there).
/// </summary>
public readonly ref struct BsonDocumentReader
{
    private readonly ReadOnlySpan<byte> _document;

    public BsonDocumentReader(ReadOnlySpan<byte> document)
    {
        if (document.Length < 5) throw new BsonFormatException("a BSON document is at least 5 bytes", 0);
        var declared = BinaryPrimitives.ReadInt32LittleEndian(document);
        if (declared < 5 || declared > document.Length)
            throw new BsonFormatException($"document length {declared} does not fit in {document.Length} bytes", 0);
        if (document[declared - 1] != 0) throw new BsonFormatException("document is not terminated by a NUL byte", declared - 1);
        _document = document[..declared];
    }

    /// <summary>The document's bytes exactly (length prefix through terminator).</summary>
    public ReadOnlySpan<byte> Bytes => _document;

    public static int ReadLength(ReadOnlySpan<byte> document) =>
        document.Length < 4 ? throw new BsonFormatException("fewer than 4 bytes for a document length", 0) : BinaryPrimitives.ReadInt32LittleEndian(document);

    public Enumerator GetEnumerator() => new(_document);

    public bool TryGetElement(scoped ReadOnlySpan<char> name, out BsonElement element)
    {
        Span<byte> utf8 = name.Length <= 128 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        var n = Encoding.UTF8.GetBytes(name, utf8);
        return TryGetElement(utf8[..n], out element);
    }

    public bool TryGetElement(scoped ReadOnlySpan<byte> utf8Name, out BsonElement element)
    {
        foreach (var e in this)
        {
            if (e.NameUtf8.SequenceEqual(utf8Name))
            {
                element = e;
                return true;
            }
        }
        element = default;
        return false;
    }

    public BsonElement this[string name] =>
        TryGetElement(name, out var e) ? e : throw new KeyNotFoundException($"the document has no field '{name}'");

    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _doc;
        private int _pos;
        private BsonElement _current;

        internal Enumerator(ReadOnlySpan<byte> doc)
        {
            _doc = doc;
            _pos = 4;
            _current = default;
        }

        public readonly BsonElement Current => _current;

        public bool MoveNext()
        {
            var end = _doc.Length - 1;
            if (_pos >= end) return false;
            var type = (BsonType)_doc[_pos];
            if (type == BsonType.EndOfDocument) throw new BsonFormatException("a NUL element type before the end of the document", _pos);
            var nameStart = _pos + 1;
            var nul = _doc[nameStart..end].IndexOf((byte)0);
            if (nul < 0) throw new BsonFormatException("an element name is not terminated", nameStart);
            var valueStart = nameStart + nul + 1;
            var size = BsonElement.ValueSize(type, _doc[valueStart..end], valueStart);
            _current = new BsonElement(type, _doc.Slice(nameStart, nul), _doc.Slice(valueStart, size));
            _pos = valueStart + size;
            return true;
        }
    }
}
