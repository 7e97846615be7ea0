namespace Replication.Bson;

/// <summary>
/// An IEEE 754-2008 decimal128 in the binary integer decimal (BID) encoding, as BSON stores it:
/// two little-endian 64-bit words, low then high. Text conversion lives in Decimal128.Text.cs.
/// </summary>
public readonly partial struct Decimal128 : IEquatable<Decimal128>
{
    public Decimal128(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    public ulong High { get; }
    public ulong Low { get; }

    public bool Equals(Decimal128 other) => High == other.High && Low == other.Low;
    public override bool Equals(object? obj) => obj is Decimal128 d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(High, Low);
    public static bool operator ==(Decimal128 l, Decimal128 r) => l.Equals(r);
    public static bool operator !=(Decimal128 l, Decimal128 r) => !l.Equals(r);
}
