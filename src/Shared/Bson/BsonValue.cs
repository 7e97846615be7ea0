namespace Replication.Bson;

/// <summary>
/// A document as an object, left for the in-memory test server and test helpers until they move to MongoDB.Bson;
/// product code uses MongoDB.Bson's object model, and the converter's hot path <see cref="BsonWriter"/> and
/// <see cref="BsonDocumentReader"/>.
/// </summary>
public abstract record BsonValue
{
    public abstract BsonType Type { get; }

    public static implicit operator BsonValue(int v) => new BsonInt32(v);
    public static implicit operator BsonValue(long v) => new BsonInt64(v);
    public static implicit operator BsonValue(double v) => new BsonDouble(v);
    public static implicit operator BsonValue(bool v) => v ? BsonBoolean.True : BsonBoolean.False;
    public static implicit operator BsonValue(string v) => new BsonString(v);
    public static implicit operator BsonValue(ObjectId v) => new BsonObjectId(v);
    public static implicit operator BsonValue(Decimal128 v) => new BsonDecimal128(v);

    /// <summary>Reads the value of <paramref name="element"/> into the model (deep copy).</summary>
    public static BsonValue FromElement(BsonElement element) => element.Type switch
    {
        BsonType.Double => new BsonDouble(element.AsDouble),
        BsonType.String => new BsonString(element.AsString),
        BsonType.Document => BsonDocument.FromReader(element.AsDocument),
        BsonType.Array => BsonArray.FromReader(element.AsArray),
        BsonType.Binary => new BsonBinary(element.AsBinary(out var subtype).ToArray(), subtype),
        BsonType.Undefined => BsonUndefined.Value,
        BsonType.ObjectId => new BsonObjectId(element.AsObjectId),
        BsonType.Boolean => element.AsBoolean ? BsonBoolean.True : BsonBoolean.False,
        BsonType.DateTime => new BsonDateTime(element.AsDateTime),
        BsonType.Null => BsonNull.Value,
        BsonType.RegularExpression => BsonRegularExpression.FromRaw(element.RawValue),
        BsonType.DbPointer => BsonDbPointer.FromRaw(element.RawValue),
        BsonType.JavaScript => new BsonJavaScript(element.AsString),
        BsonType.Symbol => new BsonSymbol(element.AsString),
        BsonType.JavaScriptWithScope => BsonJavaScriptWithScope.FromRaw(element.RawValue),
        BsonType.Int32 => new BsonInt32(element.AsInt32),
        BsonType.Timestamp => new BsonTimestamp(element.AsTimestamp.Seconds, element.AsTimestamp.Increment),
        BsonType.Int64 => new BsonInt64(element.AsInt64),
        BsonType.Decimal128 => new BsonDecimal128(element.AsDecimal128),
        BsonType.MinKey => BsonMinKey.Value,
        BsonType.MaxKey => BsonMaxKey.Value,
        _ => throw new BsonFormatException($"unknown element type 0x{(byte)element.Type:x2}"),
    };

    /// <summary>Writes this value (after a name was written, or as the next array item).</summary>
    public abstract void WriteTo(BsonWriter writer);
}

public sealed record BsonDouble(double Value) : BsonValue
{
    public override BsonType Type => BsonType.Double;
    public override void WriteTo(BsonWriter writer) => writer.WriteDouble(Value);
    // Bitwise so NaN equals NaN and -0.0 differs from 0.0, as a byte-faithful model should.
    public bool Equals(BsonDouble? other) => other is not null && BitConverter.DoubleToInt64Bits(Value) == BitConverter.DoubleToInt64Bits(other.Value);
    public override int GetHashCode() => Value.GetHashCode();
}

public sealed record BsonString(string Value) : BsonValue
{
    public override BsonType Type => BsonType.String;
    public override void WriteTo(BsonWriter writer) => writer.WriteString(Value);
}

public sealed record BsonBinary(byte[] Data, byte Subtype = 0) : BsonValue
{
    public override BsonType Type => BsonType.Binary;
    public override void WriteTo(BsonWriter writer) => writer.WriteBinary(Data, Subtype);
    public bool Equals(BsonBinary? other) => other is not null && Subtype == other.Subtype && Data.AsSpan().SequenceEqual(other.Data);
    public override int GetHashCode() => HashCode.Combine(Subtype, Data.Length);
}

public sealed record BsonUndefined : BsonValue
{
    public static readonly BsonUndefined Value = new();
    public override BsonType Type => BsonType.Undefined;
    public override void WriteTo(BsonWriter writer) => writer.WriteUndefined();
}

public sealed record BsonObjectId(ObjectId Value) : BsonValue
{
    public override BsonType Type => BsonType.ObjectId;
    public override void WriteTo(BsonWriter writer) => writer.WriteObjectId(Value);
}

public sealed record BsonBoolean(bool Value) : BsonValue
{
    public static readonly BsonBoolean True = new(true);
    public static readonly BsonBoolean False = new(false);
    public override BsonType Type => BsonType.Boolean;
    public override void WriteTo(BsonWriter writer) => writer.WriteBoolean(Value);
}

/// <summary>UTC milliseconds since the Unix epoch.</summary>
public sealed record BsonDateTime(long MillisecondsSinceEpoch) : BsonValue
{
    public override BsonType Type => BsonType.DateTime;
    public override void WriteTo(BsonWriter writer) => writer.WriteDateTime(MillisecondsSinceEpoch);
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.FromUnixTimeMilliseconds(MillisecondsSinceEpoch);
}

public sealed record BsonNull : BsonValue
{
    public static readonly BsonNull Value = new();
    public override BsonType Type => BsonType.Null;
    public override void WriteTo(BsonWriter writer) => writer.WriteNull();
}

public sealed record BsonRegularExpression(string Pattern, string Options) : BsonValue
{
    public override BsonType Type => BsonType.RegularExpression;
    public override void WriteTo(BsonWriter writer) => writer.WriteRegularExpression(Pattern, Options);

    internal static BsonRegularExpression FromRaw(ReadOnlySpan<byte> raw)
    {
        var a = raw.IndexOf((byte)0);
        var rest = raw[(a + 1)..];
        var b = rest.IndexOf((byte)0);
        return new BsonRegularExpression(BsonText.Utf8(raw[..a]), BsonText.Utf8(rest[..b]));
    }
}

public sealed record BsonDbPointer(string Namespace, ObjectId Id) : BsonValue
{
    public override BsonType Type => BsonType.DbPointer;
    public override void WriteTo(BsonWriter writer) => writer.WriteDbPointer(Namespace, Id);

    internal static BsonDbPointer FromRaw(ReadOnlySpan<byte> raw)
    {
        var len = BitConverter.ToInt32(raw);
        return new BsonDbPointer(BsonText.Utf8(raw.Slice(4, len - 1)), new ObjectId(raw.Slice(4 + len, 12)));
    }
}

public sealed record BsonJavaScript(string Code) : BsonValue
{
    public override BsonType Type => BsonType.JavaScript;
    public override void WriteTo(BsonWriter writer) => writer.WriteJavaScript(Code);
}

public sealed record BsonSymbol(string Value) : BsonValue
{
    public override BsonType Type => BsonType.Symbol;
    public override void WriteTo(BsonWriter writer) => writer.WriteSymbol(Value);
}

public sealed record BsonJavaScriptWithScope(string Code, BsonDocument Scope) : BsonValue
{
    public override BsonType Type => BsonType.JavaScriptWithScope;
    public override void WriteTo(BsonWriter writer) => writer.WriteJavaScriptWithScope(Code, Scope.ToBytes());

    internal static BsonJavaScriptWithScope FromRaw(ReadOnlySpan<byte> raw)
    {
        var len = BitConverter.ToInt32(raw[4..]);
        var code = BsonText.Utf8(raw.Slice(8, len - 1));
        return new BsonJavaScriptWithScope(code, BsonDocument.Parse(raw[(8 + len)..]));
    }
}

public sealed record BsonInt32(int Value) : BsonValue
{
    public override BsonType Type => BsonType.Int32;
    public override void WriteTo(BsonWriter writer) => writer.WriteInt32(Value);
}

public sealed record BsonTimestamp(uint Seconds, uint Increment) : BsonValue
{
    public override BsonType Type => BsonType.Timestamp;
    public override void WriteTo(BsonWriter writer) => writer.WriteTimestamp(Seconds, Increment);
    public ulong Value => ((ulong)Seconds << 32) | Increment;
}

public sealed record BsonInt64(long Value) : BsonValue
{
    public override BsonType Type => BsonType.Int64;
    public override void WriteTo(BsonWriter writer) => writer.WriteInt64(Value);
}

public sealed record BsonDecimal128(Decimal128 Value) : BsonValue
{
    public override BsonType Type => BsonType.Decimal128;
    public override void WriteTo(BsonWriter writer) => writer.WriteDecimal128(Value);
}

public sealed record BsonMinKey : BsonValue
{
    public static readonly BsonMinKey Value = new();
    public override BsonType Type => BsonType.MinKey;
    public override void WriteTo(BsonWriter writer) => writer.WriteMinKey();
}

public sealed record BsonMaxKey : BsonValue
{
    public static readonly BsonMaxKey Value = new();
    public override BsonType Type => BsonType.MaxKey;
    public override void WriteTo(BsonWriter writer) => writer.WriteMaxKey();
}

internal static class BsonText
{
    private static readonly System.Text.UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
    public static string Utf8(ReadOnlySpan<byte> bytes) => Strict.GetString(bytes);
}
