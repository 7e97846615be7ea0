using System.Globalization;
using System.Numerics;
using System.Text;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Dynamo.Conversion;

namespace Replication.Testing.Comparison;

/// <summary>
/// The README's mapping table (<c>convert.mode = typed</c>, "How items become documents") written out a second time,
/// from the AWS SDK's <see cref="AttributeValue"/>s, so the end-to-end comparison does not share the converter it
/// checks. Deliberately plain and slow: clarity over speed.
/// </summary>
public sealed class ReferenceItemConverter(IdentityMode identity, string hashKey, string? rangeKey)
{
    /// <summary>The key attributes in key-schema order: the fields a document is identified by.</summary>
    public IReadOnlyList<string> KeyNames { get; } = rangeKey is null ? [hashKey] : [hashKey, rangeKey];

    public BsonDocument Convert(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var document = new BsonDocument();
        if (identity == IdentityMode.Id) document.Add("_id", KeyOf(item));
        foreach (var (name, value) in item) document.Add(name, Value(value));
        return document;
    }

    /// <summary><c>_id</c> under <c>convert.key = id</c>: the hash key's value, or <c>{hash: …, range: …}</c>.</summary>
    public BsonValue KeyOf(IReadOnlyDictionary<string, AttributeValue> item)
    {
        BsonValue Key(string name) => Value(item.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"the item has no key attribute '{name}'"));
        return rangeKey is null ? Key(hashKey) : new BsonDocument { { hashKey, Key(hashKey) }, { rangeKey, Key(rangeKey) } };
    }

    public static BsonValue Value(AttributeValue value)
    {
        if (value.S is not null) return new BsonString(value.S);
        if (value.N is not null) return Number(value.N);
        if (value.B is not null) return new BsonBinaryData(value.B.ToArray());
        if (value.IsBOOLSet) return BsonBoolean.Create(value.BOOL ?? false);
        if (value.NULL == true) return BsonNull.Value;
        if (value.IsMSet) return new BsonDocument(value.M.Select(e => new BsonElement(e.Key, Value(e.Value))));
        if (value.IsLSet) return new BsonArray(value.L.Select(Value));
        // Sets: DynamoDB keeps no order, the README promises one.
        if (value.SS is { Count: > 0 }) return new BsonArray(value.SS.Order(CodePointOrder.Instance).Select(s => (BsonValue)new BsonString(s)));
        if (value.NS is { Count: > 0 }) return new BsonArray(value.NS.Select(ReferenceNumber.Parse).Order().Select(n => n.ToBson()));
        if (value.BS is { Count: > 0 }) return new BsonArray(value.BS.Select(b => b.ToArray()).Order(UnsignedBytesOrder.Instance).Select(b => (BsonValue)new BsonBinaryData(b)));
        throw new InvalidOperationException("an attribute value of no known DynamoDB type");
    }

    /// <summary>"int32/int64 when integral and in range, else Decimal128 when exact, else string".</summary>
    public static BsonValue Number(string text) => ReferenceNumber.Parse(text).ToBson();

    /// <summary>Strings by Unicode code point, which is the order of their UTF-8 bytes (UTF-16 ordinal order is not, past U+FFFF).</summary>
    private sealed class CodePointOrder : IComparer<string>
    {
        public static readonly CodePointOrder Instance = new();
        public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x!).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y!));
    }

    private sealed class UnsignedBytesOrder : IComparer<byte[]>
    {
        public static readonly UnsignedBytesOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>A DynamoDB number as an exact decimal: <see cref="Coefficient"/> × 10^<see cref="Exponent"/>, digits as written.</summary>
internal readonly record struct ReferenceNumber(BigInteger Coefficient, int Exponent, string Text) : IComparable<ReferenceNumber>
{
    private static readonly BigInteger MaxDecimal128Coefficient = BigInteger.Pow(10, 34) - 1;

    public static ReferenceNumber Parse(string text)
    {
        var mantissa = text;
        var exponent = 0;
        var e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            mantissa = text[..e];
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        var point = mantissa.IndexOf('.');
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }
        return new ReferenceNumber(BigInteger.Parse(mantissa, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), exponent, text);
    }

    public BsonValue ToBson()
    {
        if (IntegerValue() is { } integer)
        {
            if (integer >= int.MinValue && integer <= int.MaxValue) return new BsonInt32((int)integer);
            if (integer >= long.MinValue && integer <= long.MaxValue) return new BsonInt64((long)integer);
        }
        return Decimal128() is { } exact ? new BsonDecimal128(exact) : new BsonString(Text);
    }

    private BigInteger? IntegerValue()
    {
        if (Exponent >= 0) return Coefficient * BigInteger.Pow(10, Exponent);
        var divisor = BigInteger.Pow(10, -Exponent);
        return BigInteger.Remainder(Coefficient, divisor).IsZero ? Coefficient / divisor : null;
    }

    /// <summary>IEEE 754 decimal128 in BSON's BID layout, when the digits fit in 34 (dropping trailing zeros if they must).</summary>
    private MongoDB.Bson.Decimal128? Decimal128()
    {
        var magnitude = BigInteger.Abs(Coefficient);
        var exponent = Exponent;
        while (magnitude > MaxDecimal128Coefficient && BigInteger.Remainder(magnitude, 10).IsZero)
        {
            magnitude /= 10;
            exponent++;
        }
        if (magnitude > MaxDecimal128Coefficient || exponent is < -6176 or > 6111) return null;
        var high = (ulong)(magnitude >> 64) | ((ulong)(exponent + 6176) << 49) | (Coefficient.Sign < 0 ? 1UL << 63 : 0);
        return MongoDB.Bson.Decimal128.FromIEEEBits(high, (ulong)(magnitude & ulong.MaxValue));
    }

    public int CompareTo(ReferenceNumber other)
    {
        var common = Math.Min(Exponent, other.Exponent);
        return (Coefficient * BigInteger.Pow(10, Exponent - common)).CompareTo(other.Coefficient * BigInteger.Pow(10, other.Exponent - common));
    }
}
