using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;

namespace Replication.Bson;

/// <summary>
/// Writes BSON into a pooled buffer, forward only, in the manner of Utf8JsonWriter: <see cref="WriteName(ReadOnlySpan{char})"/>
/// then a value method; inside an array the index names are generated. Document lengths are back-patched when a
/// document ends, which is why the bytes are assembled here and handed to an <see cref="IBufferWriter{T}"/> (if one
/// was given) each time a top-level document completes.
/// </summary>
public sealed class BsonWriter : IDisposable
{
    private const int MaxDepth = 200;
    private readonly IBufferWriter<byte>? _output;
    private byte[] _buffer;
    private int _length;

    // One frame per open document/array: where its length prefix is, and the next array index (-1 for documents).
    private readonly Stack<(int Start, int NextIndex)> _frames = new();
    private int _pendingTypePosition = -1;

    public BsonWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Every completed top-level document is copied to <paramref name="output"/> and the internal buffer reset.</summary>
    public BsonWriter(IBufferWriter<byte> output, int initialCapacity = 256) : this(initialCapacity)
    {
        _output = output;
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);
    public int Length => _length;
    public int Depth => _frames.Count;

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Reset()
    {
        _length = 0;
        _frames.Clear();
        _pendingTypePosition = -1;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }

    // ---- documents and arrays ----

    /// <summary>Starts the top-level document, or an embedded document as the value of the pending name / next array slot.</summary>
    public void WriteStartDocument()
    {
        if (_frames.Count > 0) BeginValue(BsonType.Document);
        else if (_pendingTypePosition >= 0) throw new InvalidOperationException("a name was written outside any document");
        OpenFrame(-1);
    }

    public void WriteEndDocument() => CloseFrame(isArray: false);

    public void WriteStartArray()
    {
        if (_frames.Count == 0) throw new InvalidOperationException("an array must be the value of an element");
        BeginValue(BsonType.Array);
        OpenFrame(0);
    }

    public void WriteEndArray() => CloseFrame(isArray: true);

    private void OpenFrame(int nextIndex)
    {
        if (_frames.Count >= MaxDepth) throw new InvalidOperationException($"BSON nesting deeper than {MaxDepth}");
        _frames.Push((_length, nextIndex));
        Reserve(4);
        _length += 4;
    }

    private void CloseFrame(bool isArray)
    {
        if (_frames.Count == 0) throw new InvalidOperationException("no open document to end");
        if (_pendingTypePosition >= 0) throw new InvalidOperationException("a name was written without a value");
        var (start, nextIndex) = _frames.Pop();
        if (isArray != (nextIndex >= 0)) throw new InvalidOperationException(isArray ? "the open container is a document, not an array" : "the open container is an array, not a document");
        Reserve(1);
        _buffer[_length++] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(start), _length - start);
        if (_frames.Count == 0 && _output is not null)
        {
            _output.Write(WrittenSpan);
            _length = 0;
        }
    }

    // ---- names ----

    public void WriteName(ReadOnlySpan<char> name)
    {
        StartElementHeader();
        WriteCString(name);
    }

    /// <summary>Writes a name already encoded as UTF-8 (no NUL), the allocation-free path for hot loops.</summary>
    public void WriteName(ReadOnlySpan<byte> utf8Name)
    {
        StartElementHeader();
        WriteCStringUtf8(utf8Name);
    }

    private void StartElementHeader()
    {
        if (_frames.Count == 0) throw new InvalidOperationException("a name must be inside a document");
        if (_frames.Peek().NextIndex >= 0) throw new InvalidOperationException("array elements are named by the writer");
        if (_pendingTypePosition >= 0) throw new InvalidOperationException("two names in a row without a value");
        Reserve(1);
        _pendingTypePosition = _length++;
    }

    // Writes the type byte for the value about to be written: patches the pending name's slot, or in an array
    // writes type + generated index name.
    private void BeginValue(BsonType type)
    {
        if (_frames.Count == 0) throw new InvalidOperationException("a value must be inside a document");
        if (_pendingTypePosition >= 0)
        {
            _buffer[_pendingTypePosition] = (byte)type;
            _pendingTypePosition = -1;
            return;
        }
        var (start, index) = _frames.Pop();
        if (index < 0)
        {
            _frames.Push((start, index));
            throw new InvalidOperationException("a value inside a document needs a name first");
        }
        _frames.Push((start, index + 1));
        Reserve(12);
        _buffer[_length++] = (byte)type;
        index.TryFormat(_buffer.AsSpan(_length), out var written);
        _length += written;
        _buffer[_length++] = 0;
    }

    // ---- values ----

    public void WriteDouble(double value)
    {
        BeginValue(BsonType.Double);
        Reserve(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteString(ReadOnlySpan<char> value)
    {
        BeginValue(BsonType.String);
        WriteStringBody(value);
    }

    /// <summary>Writes a string value from bytes that are already valid UTF-8 (no validation here: the caller vouches).</summary>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        BeginValue(BsonType.String);
        WriteStringBodyUtf8(utf8);
    }

    public void WriteSymbol(ReadOnlySpan<char> value)
    {
        BeginValue(BsonType.Symbol);
        WriteStringBody(value);
    }

    public void WriteJavaScript(ReadOnlySpan<char> code)
    {
        BeginValue(BsonType.JavaScript);
        WriteStringBody(code);
    }

    /// <summary>Code with scope: <paramref name="scopeDocument"/> is a complete BSON document.</summary>
    public void WriteJavaScriptWithScope(ReadOnlySpan<char> code, ReadOnlySpan<byte> scopeDocument)
    {
        BeginValue(BsonType.JavaScriptWithScope);
        var start = _length;
        Reserve(4);
        _length += 4;
        WriteStringBody(code);
        WriteBytes(scopeDocument);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(start), _length - start);
    }

    public void WriteBinary(ReadOnlySpan<byte> data, byte subtype = 0)
    {
        BeginValue(BsonType.Binary);
        if (subtype == 0x02)
        {
            // The deprecated "old binary" subtype repeats the length inside the payload.
            Reserve(9 + data.Length);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), data.Length + 4);
            _buffer[_length + 4] = subtype;
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length + 5), data.Length);
            _length += 9;
        }
        else
        {
            Reserve(5 + data.Length);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), data.Length);
            _buffer[_length + 4] = subtype;
            _length += 5;
        }
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public void WriteUndefined() => BeginValue(BsonType.Undefined);
    public void WriteNull() => BeginValue(BsonType.Null);
    public void WriteMinKey() => BeginValue(BsonType.MinKey);
    public void WriteMaxKey() => BeginValue(BsonType.MaxKey);

    public void WriteObjectId(ObjectId value)
    {
        BeginValue(BsonType.ObjectId);
        Reserve(12);
        value.ToByteSpan(_buffer.AsSpan(_length));
        _length += 12;
    }

    public void WriteBoolean(bool value)
    {
        BeginValue(BsonType.Boolean);
        Reserve(1);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>UTC milliseconds since the Unix epoch.</summary>
    public void WriteDateTime(long millisecondsSinceEpoch)
    {
        BeginValue(BsonType.DateTime);
        WriteInt64Raw(millisecondsSinceEpoch);
    }

    /// <summary>ASCII options are stored sorted, as the BSON specification requires ("mix" is written "imx").</summary>
    public void WriteRegularExpression(ReadOnlySpan<char> pattern, ReadOnlySpan<char> options)
    {
        BeginValue(BsonType.RegularExpression);
        WriteCString(pattern);
        Span<char> sorted = options.Length <= 32 ? stackalloc char[options.Length] : new char[options.Length];
        options.CopyTo(sorted);
        if (System.Text.Ascii.IsValid(options)) sorted.Sort();
        WriteCString(sorted);
    }

    public void WriteDbPointer(ReadOnlySpan<char> ns, ObjectId id)
    {
        BeginValue(BsonType.DbPointer);
        WriteStringBody(ns);
        Reserve(12);
        id.ToByteSpan(_buffer.AsSpan(_length));
        _length += 12;
    }

    public void WriteInt32(int value)
    {
        BeginValue(BsonType.Int32);
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>A BSON timestamp: seconds in the high word, an ordinal increment in the low word.</summary>
    public void WriteTimestamp(uint seconds, uint increment)
    {
        BeginValue(BsonType.Timestamp);
        Reserve(8);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), increment);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length + 4), seconds);
        _length += 8;
    }

    public void WriteInt64(long value)
    {
        BeginValue(BsonType.Int64);
        WriteInt64Raw(value);
    }

    public void WriteDecimal128(Decimal128 value)
    {
        BeginValue(BsonType.Decimal128);
        Reserve(16);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value.Low);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length + 8), value.High);
        _length += 16;
    }

    /// <summary>Embeds a complete BSON document (length prefix through terminator) as the value.</summary>
    public void WriteRawDocument(ReadOnlySpan<byte> document)
    {
        BeginValue(BsonType.Document);
        WriteBytes(document);
    }

    /// <summary>Embeds a complete BSON array (encoded as a document with index keys) as the value.</summary>
    public void WriteRawArray(ReadOnlySpan<byte> array)
    {
        BeginValue(BsonType.Array);
        WriteBytes(array);
    }

    /// <summary>Copies a value exactly as it was encoded elsewhere (e.g. from <see cref="BsonElement.RawValue"/>).</summary>
    public void WriteRawValue(BsonType type, ReadOnlySpan<byte> value)
    {
        BeginValue(type);
        WriteBytes(value);
    }

    /// <summary>Copies every element of <paramref name="document"/> into the open document.</summary>
    public void WriteElementsOf(ReadOnlySpan<byte> document)
    {
        foreach (var e in new BsonDocumentReader(document))
        {
            WriteName(e.NameUtf8);
            WriteRawValue(e.Type, e.RawValue);
        }
    }

    // ---- primitives ----

    private void WriteInt64Raw(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void WriteStringBody(ReadOnlySpan<char> value)
    {
        Reserve(5 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var n = Utf8Strict.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), n + 1);
        _length += 4 + n;
        _buffer[_length++] = 0;
    }

    private void WriteStringBodyUtf8(ReadOnlySpan<byte> utf8)
    {
        Reserve(5 + utf8.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), utf8.Length + 1);
        utf8.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + utf8.Length;
        _buffer[_length++] = 0;
    }

    private void WriteCString(ReadOnlySpan<char> value)
    {
        if (value.Contains('\0')) throw new ArgumentException($"BSON names and regular expressions cannot contain a NUL character: '{value.ToString().Replace("\0", "\\0")}'");
        Reserve(1 + Encoding.UTF8.GetMaxByteCount(value.Length));
        _length += Utf8Strict.GetBytes(value, _buffer.AsSpan(_length));
        _buffer[_length++] = 0;
    }

    private void WriteCStringUtf8(ReadOnlySpan<byte> value)
    {
        if (value.Contains((byte)0)) throw new ArgumentException("BSON names cannot contain a NUL byte");
        WriteBytes(value);
        Reserve(1);
        _buffer[_length++] = 0;
    }

    private void Reserve(int count)
    {
        if (_length + count <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    // Strict UTF-8: a lone surrogate in a .NET string is an error, not a silent U+FFFD.
    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
