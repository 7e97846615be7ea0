using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>MongoDB's numeric tower: int32, int64, double and decimal compare and combine by value.</summary>
public static class Numbers
{
    public static bool IsNumber(BsonValue v) => v.BsonType is BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128;

    public static double ToDouble(BsonValue v) => v switch
    {
        BsonInt32 i => i.Value,
        BsonInt64 l => l.Value,
        BsonDouble d => d.Value,
        BsonDecimal128 m => Decimal128Numeric.ToDouble(m.Value),
        _ => throw new InvalidOperationException($"{v.BsonType} is not a number"),
    };

    public static bool TryGetInt64(BsonValue v, out long value)
    {
        switch (v)
        {
            case BsonInt32 i: value = i.Value; return true;
            case BsonInt64 l: value = l.Value; return true;
            case BsonDouble d when d.Value == Math.Floor(d.Value) && d.Value >= long.MinValue && d.Value < 9.2233720368547758E18:
                value = (long)d.Value; return true;
            case BsonDecimal128 m:
                var x = Decimal128Numeric.ToDouble(m.Value);
                if (x == Math.Floor(x) && x >= long.MinValue && x < 9.2233720368547758E18) { value = (long)x; return true; }
                break;
        }
        value = 0;
        return false;
    }

    /// <summary>Compares two numbers by value; NaN sorts below every other number, as in MongoDB.</summary>
    public static int Compare(BsonValue a, BsonValue b)
    {
        if (a.BsonType is BsonType.Int32 or BsonType.Int64 && b.BsonType is BsonType.Int32 or BsonType.Int64)
            return ExactInteger(a).CompareTo(ExactInteger(b));
        if (a.BsonType is BsonType.Int32 or BsonType.Int64 && b is BsonDouble bd) return CompareLongDouble(ExactInteger(a), bd.Value);
        if (b.BsonType is BsonType.Int32 or BsonType.Int64 && a is BsonDouble ad) return -CompareLongDouble(ExactInteger(b), ad.Value);
        return CompareDoubles(ToDouble(a), ToDouble(b));
    }

    private static long ExactInteger(BsonValue v) => v is BsonInt32 i ? i.Value : ((BsonInt64)v).Value;

    private static int CompareLongDouble(long l, double d)
    {
        if (double.IsNaN(d)) return 1;
        if (d >= 9.2233720368547758E18) return -1;
        if (d < -9.2233720368547758E18) return 1;
        var floor = Math.Floor(d);
        var c = l.CompareTo((long)floor);
        if (c != 0) return c;
        return d > floor ? -1 : 0;
    }

    private static int CompareDoubles(double a, double b)
    {
        if (double.IsNaN(a)) return double.IsNaN(b) ? 0 : -1;
        if (double.IsNaN(b)) return 1;
        return a.CompareTo(b) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }

    /// <summary>a + b with MongoDB's type promotion: int32 overflows into int64, anything with a double is double.</summary>
    public static BsonValue Add(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => checked(x + y), (x, y) => x + y);

    public static BsonValue Multiply(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => checked(x * y), (x, y) => x * y);

    private static BsonValue Combine(BsonValue a, BsonValue b, Func<long, long, long> integer, Func<double, double, double> real)
    {
        if (a.BsonType is BsonType.Decimal128 || b.BsonType is BsonType.Decimal128)
        {
            var r = real(ToDouble(a), ToDouble(b));
            if (r == Math.Floor(r) && Math.Abs(r) < 9e15) return new BsonDecimal128(Decimal128Numeric.FromLong((long)r));
            return new BsonDouble(r);
        }
        if (a.BsonType is BsonType.Double || b.BsonType is BsonType.Double) return new BsonDouble(real(ToDouble(a), ToDouble(b)));
        long result;
        try
        {
            result = checked(integer(ExactInteger(a), ExactInteger(b)));
        }
        catch (OverflowException)
        {
            return new BsonDouble(real(ToDouble(a), ToDouble(b)));
        }
        if (a.BsonType is BsonType.Int32 && b.BsonType is BsonType.Int32 && result is >= int.MinValue and <= int.MaxValue)
            return new BsonInt32((int)result);
        return new BsonInt64(result);
    }
}
