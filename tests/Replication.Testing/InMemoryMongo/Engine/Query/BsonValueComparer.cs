using System.Text;
using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// MongoDB's total order over BSON values (the "BSON comparison order"): first by canonical type — MinKey &lt;
/// Undefined/Null &lt; numbers &lt; Symbol/String &lt; Object &lt; Array &lt; BinData &lt; ObjectId &lt; Boolean &lt; Date &lt;
/// Timestamp &lt; Regex &lt; DBPointer &lt; JavaScript &lt; JavaScriptWithScope &lt; MaxKey — then by value within the type.
/// </summary>
public sealed class BsonValueComparer : IComparer<BsonValue>, IEqualityComparer<BsonValue>
{
    public static readonly BsonValueComparer Instance = new();

    /// <summary>The canonical type rank; values of different ranks never compare equal.</summary>
    public static int CanonicalRank(BsonType type) => type switch
    {
        BsonType.MinKey => -1,
        BsonType.Undefined => 0,
        BsonType.Null => 5,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 10,
        BsonType.String or BsonType.Symbol => 15,
        BsonType.Document => 20,
        BsonType.Array => 25,
        BsonType.Binary => 30,
        BsonType.ObjectId => 35,
        BsonType.Boolean => 40,
        BsonType.DateTime => 45,
        BsonType.Timestamp => 47,
        BsonType.RegularExpression => 50,
        BsonType.JavaScript => 60,
        BsonType.JavaScriptWithScope => 65,
        BsonType.MaxKey => 127,
        _ => 0,
    };

    public int Compare(BsonValue? x, BsonValue? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var rank = CanonicalRank(x.BsonType).CompareTo(CanonicalRank(y.BsonType));
        if (rank != 0) return rank;
        return (x, y) switch
        {
            _ when Numbers.IsNumber(x) => Numbers.Compare(x, y),
            (BsonDocument a, BsonDocument b) => CompareDocuments(a, b),
            (BsonArray a, BsonArray b) => CompareArrays(a, b),
            (BsonBinaryData a, BsonBinaryData b) => CompareBinary(a, b),
            (BsonObjectId a, BsonObjectId b) => a.Value.CompareTo(b.Value),
            (BsonBoolean a, BsonBoolean b) => a.Value.CompareTo(b.Value),
            (BsonDateTime a, BsonDateTime b) => a.MillisecondsSinceEpoch.CompareTo(b.MillisecondsSinceEpoch),
            (BsonTimestamp a, BsonTimestamp b) => ((ulong)a.Value).CompareTo((ulong)b.Value), // unsigned, as MongoDB compares them
            (BsonRegularExpression a, BsonRegularExpression b) => CompareThen(Utf8Compare(a.Pattern, b.Pattern), () => Utf8Compare(a.Options, b.Options)),
            // BsonJavaScriptWithScope derives from BsonJavaScript in MongoDB.Bson, so it is matched first.
            (BsonJavaScriptWithScope a, BsonJavaScriptWithScope b) => CompareThen(Utf8Compare(a.Code, b.Code), () => CompareDocuments(a.Scope, b.Scope)),
            (BsonJavaScript a, BsonJavaScript b) => Utf8Compare(a.Code, b.Code),
            _ when x.BsonType is BsonType.String or BsonType.Symbol => Utf8Compare(StringOf(x), StringOf(y)),
            _ => 0, // MinKey, MaxKey, Null, Undefined: one value each
        };
    }

    public bool Equals(BsonValue? x, BsonValue? y) => Compare(x, y) == 0;

    public int GetHashCode(BsonValue obj) => CanonicalRank(obj.BsonType);

    private static int CompareDocuments(BsonDocument a, BsonDocument b)
    {
        var n = Math.Min(a.ElementCount, b.ElementCount);
        for (var i = 0; i < n; i++)
        {
            var (an, av) = a.GetElement(i);
            var (bn, bv) = b.GetElement(i);
            var c = CanonicalRank(av.BsonType).CompareTo(CanonicalRank(bv.BsonType));
            if (c != 0) return c;
            c = Utf8Compare(an, bn);
            if (c != 0) return c;
            c = Instance.Compare(av, bv);
            if (c != 0) return c;
        }
        return a.ElementCount.CompareTo(b.ElementCount);
    }

    private static int CompareArrays(BsonArray a, BsonArray b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = Instance.Compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    // MongoDB orders binaries by length, then subtype, then bytes.
    private static int CompareBinary(BsonBinaryData a, BsonBinaryData b)
    {
        var c = a.Bytes.Length.CompareTo(b.Bytes.Length);
        if (c != 0) return c;
        c = a.SubType.CompareTo(b.SubType);
        return c != 0 ? c : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes);
    }

    private static string StringOf(BsonValue v) => v is BsonString s ? s.Value : ((BsonSymbol)v).Name;

    private static int CompareThen(int first, Func<int> then) => first != 0 ? first : then();

    /// <summary>Strings compare as UTF-8 bytes (code point order), not as UTF-16 code units.</summary>
    public static int Utf8Compare(string a, string b)
    {
        if (ReferenceEquals(a, b)) return 0;
        var ordinal = string.CompareOrdinal(a, b);
        if (!ContainsSurrogate(a) && !ContainsSurrogate(b)) return Math.Sign(ordinal);
        return Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
    }

    private static bool ContainsSurrogate(string s)
    {
        foreach (var ch in s)
            if (char.IsSurrogate(ch)) return true;
        return false;
    }
}
