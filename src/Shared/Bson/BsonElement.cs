using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;

namespace Replication.Bson;

/// <summary>One element of a document: its type, its UTF-8 name and its value's raw bytes (slices, no copies).</summary>
public readonly ref struct BsonElement
{
    private static readonly UTF8Encoding Utf8Strict = new(false, throwOnInvalidBytes: true);

    public BsonElement(BsonType type, ReadOnlySpan<byte> nameUtf8, ReadOnlySpan<byte> rawValue)
    {
        Type = type;
        NameUtf8 = nameUtf8;
        RawValue = rawValue;
    }

    public BsonType Type { get; }
    public ReadOnlySpan<byte> NameUtf8 { get; }
    public ReadOnlySpan<byte> RawValue { get; }
    public string Name => Utf8Strict.GetString(NameUtf8);

    public bool NameEquals(scoped ReadOnlySpan<byte> utf8) => NameUtf8.SequenceEqual(utf8);

    public double AsDouble => Type == BsonType.Double ? BinaryPrimitives.ReadDoubleLittleEndian(RawValue) : throw Mismatch(BsonType.Double);
    public int AsInt32 => Type == BsonType.Int32 ? BinaryPrimitives.ReadInt32LittleEndian(RawValue) : throw Mismatch(BsonType.Int32);
    public long AsInt64 => Type == BsonType.Int64 ? BinaryPrimitives.ReadInt64LittleEndian(RawValue) : throw Mismatch(BsonType.Int64);
    public bool AsBoolean => Type != BsonType.Boolean ? throw Mismatch(BsonType.Boolean) : RawValue[0] switch
    {
        0 => false,
        1 => true,
        var b => throw new BsonFormatException($"field '{Name}' holds the boolean byte {b}, which is neither 0 nor 1"),
    };
    public long AsDateTime => Type == BsonType.DateTime ? BinaryPrimitives.ReadInt64LittleEndian(RawValue) : throw Mismatch(BsonType.DateTime);
    /// <summary>Copies the 12 bytes into an array: MongoDB.Bson.ObjectId has no public span constructor.</summary>
    public ObjectId AsObjectId => Type == BsonType.ObjectId ? new ObjectId(RawValue.ToArray()) : throw Mismatch(BsonType.ObjectId);

    public Decimal128 AsDecimal128 => Type == BsonType.Decimal128
        ? new Decimal128(BinaryPrimitives.ReadUInt64LittleEndian(RawValue[8..]), BinaryPrimitives.ReadUInt64LittleEndian(RawValue))
        : throw Mismatch(BsonType.Decimal128);

    /// <summary>(seconds, increment) of a BSON timestamp.</summary>
    public (uint Seconds, uint Increment) AsTimestamp => Type == BsonType.Timestamp
        ? (BinaryPrimitives.ReadUInt32LittleEndian(RawValue[4..]), BinaryPrimitives.ReadUInt32LittleEndian(RawValue))
        : throw Mismatch(BsonType.Timestamp);

    /// <summary>The UTF-8 bytes of a string, symbol or JavaScript value, without length or terminator.</summary>
    public ReadOnlySpan<byte> AsStringUtf8 => Type is BsonType.String or BsonType.Symbol or BsonType.JavaScript
        ? RawValue[4..^1]
        : throw Mismatch(BsonType.String);

    public string AsString => Utf8Strict.GetString(AsStringUtf8);

    public BsonDocumentReader AsDocument => Type is BsonType.Document or BsonType.Array ? new BsonDocumentReader(RawValue) : throw Mismatch(BsonType.Document);
    public BsonDocumentReader AsArray => AsDocument;

    /// <summary>The payload and subtype of a binary value (for the old subtype 2, the payload without its inner length).</summary>
    public ReadOnlySpan<byte> AsBinary(out byte subtype)
    {
        if (Type != BsonType.Binary) throw Mismatch(BsonType.Binary);
        subtype = RawValue[4];
        if (subtype != 0x02) return RawValue[5..];
        // The old subtype repeats the payload length inside the payload; the two must agree.
        if (RawValue.Length < 9 || BinaryPrimitives.ReadInt32LittleEndian(RawValue[5..]) != RawValue.Length - 9)
            throw new BsonFormatException($"field '{Name}' is old binary (subtype 2) whose inner length disagrees with its outer one");
        return RawValue[9..];
    }

    /// <summary>Numeric value of an int32, int64 or double as a long (doubles must be integral).</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Type)
        {
            case BsonType.Int32: value = AsInt32; return true;
            case BsonType.Int64: value = AsInt64; return true;
            case BsonType.Double:
                var d = AsDouble;
                if (d == Math.Floor(d) && d >= long.MinValue && d < 9.2233720368547758e18) { value = (long)d; return true; }
                break;
        }
        value = 0;
        return false;
    }

    /// <summary>Truthiness as MongoDB commands read flags: bool, or a non-zero number.</summary>
    public bool IsTrue => Type switch
    {
        BsonType.Boolean => AsBoolean,
        BsonType.Int32 => AsInt32 != 0,
        BsonType.Int64 => AsInt64 != 0,
        BsonType.Double => AsDouble != 0,
        BsonType.Null or BsonType.Undefined => false,
        _ => true,
    };

    private InvalidCastException Mismatch(BsonType wanted) =>
        new($"field '{Name}' is {Type}, not {wanted}");

    /// <summary>The size in bytes of a value of <paramref name="type"/> at the start of <paramref name="rest"/>; bounds-checked.</summary>
    internal static int ValueSize(BsonType type, ReadOnlySpan<byte> rest, int offset)
    {
        int need;
        switch (type)
        {
            case BsonType.Double: case BsonType.DateTime: case BsonType.Int64: case BsonType.Timestamp: need = 8; break;
            case BsonType.Int32: need = 4; break;
            case BsonType.Boolean: need = 1; break;
            case BsonType.ObjectId: need = 12; break;
            case BsonType.Decimal128: need = 16; break;
            case BsonType.Null: case BsonType.Undefined: case BsonType.MinKey: case BsonType.MaxKey: need = 0; break;
            case BsonType.String: case BsonType.Symbol: case BsonType.JavaScript:
                need = 4 + LengthAt(rest, offset, min: 1);
                ExpectTerminator(rest, need - 1, offset);
                break;
            case BsonType.Document: case BsonType.Array: case BsonType.JavaScriptWithScope:
                need = LengthAt(rest, offset, min: 5);
                break;
            case BsonType.Binary:
                need = 5 + LengthAt(rest, offset, min: 0);
                break;
            case BsonType.DbPointer:
                need = 4 + LengthAt(rest, offset, min: 1) + 12;
                ExpectTerminator(rest, need - 13, offset);
                break;
            case BsonType.RegularExpression:
            {
                var a = rest.IndexOf((byte)0);
                if (a < 0) throw new BsonFormatException("a regular expression pattern is not terminated", offset);
                var b = rest[(a + 1)..].IndexOf((byte)0);
                if (b < 0) throw new BsonFormatException("regular expression options are not terminated", offset);
                need = a + 1 + b + 1;
                break;
            }
            default:
                throw new BsonFormatException($"unknown element type 0x{(byte)type:x2}", offset - 1);
        }
        if (need > rest.Length) throw new BsonFormatException($"a {type} value needs {need} bytes but only {rest.Length} remain", offset);
        return need;
    }

    private static void ExpectTerminator(ReadOnlySpan<byte> rest, int at, int offset)
    {
        if (at < rest.Length && rest[at] != 0) throw new BsonFormatException("a string is not terminated by a NUL byte", offset + at);
    }

    private static int LengthAt(ReadOnlySpan<byte> rest, int offset, int min)
    {
        if (rest.Length < 4) throw new BsonFormatException("a length prefix is cut off", offset);
        var n = BinaryPrimitives.ReadInt32LittleEndian(rest);
        if (n < min) throw new BsonFormatException($"invalid length {n}", offset);
        return n;
    }
}
