using System.Numerics;
using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// The numeric value of a BID-encoded Decimal128, as a double. Comparisons against other numbers go through this,
/// which is exact for the values tests and replication produce (short decimals); the BSON core has no arithmetic.
/// </summary>
public static class Decimal128Numeric
{
    private const ulong SignBit = 1UL << 63;

    private static ulong High(Decimal128 value) => value.GetIEEEHighBits();
    private static ulong Low(Decimal128 value) => value.GetIEEELowBits();

    public static double ToDouble(Decimal128 value)
    {
        var negative = (High(value) & SignBit) != 0;
        var combination = (High(value) >> 58) & 0x1F;
        if (combination == 0x1F) return double.NaN;
        if (combination == 0x1E) return negative ? double.NegativeInfinity : double.PositiveInfinity;

        int exponent;
        BigInteger coefficient;
        if (((High(value) >> 61) & 0x3) == 0x3)
        {
            // The "11" form can only encode coefficients above 10^34, which are non-canonical: their value is zero.
            exponent = (int)((High(value) >> 47) & 0x3FFF) - 6176;
            coefficient = BigInteger.Zero;
        }
        else
        {
            exponent = (int)((High(value) >> 49) & 0x3FFF) - 6176;
            coefficient = (new BigInteger(High(value) & 0x1FFFFFFFFFFFF) << 64) | new BigInteger(Low(value));
        }
        double magnitude;
        if (coefficient.IsZero) magnitude = 0;
        else if (exponent >= 0) magnitude = (double)(coefficient * BigInteger.Pow(10, Math.Min(exponent, 400)));
        else if (exponent >= -308) magnitude = (double)coefficient / Math.Pow(10, -exponent);
        else magnitude = (double)coefficient * Math.Pow(10, exponent);
        return negative ? -magnitude : magnitude;
    }

    /// <summary>A Decimal128 holding <paramref name="value"/> exactly (used by $inc/$sum on decimals).</summary>
    public static Decimal128 FromLong(long value)
    {
        var magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        var high = (6176UL << 49) | (value < 0 ? SignBit : 0);
        return Decimal128.FromIEEEBits(high, magnitude);
    }
}
