using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Replication.Bson;

/// <summary>A 12-byte MongoDB ObjectId: 4-byte big-endian seconds, 5 random bytes per process, 3-byte counter.</summary>
public readonly struct ObjectId : IEquatable<ObjectId>, IComparable<ObjectId>
{
    private static readonly byte[] ProcessRandom = RandomNumberGenerator.GetBytes(5);
    private static int _counter = RandomNumberGenerator.GetInt32(0, 0xFFFFFF);

    // Stored as three big-endian words so comparison is bytewise, as MongoDB orders ObjectIds.
    private readonly uint _a;
    private readonly uint _b;
    private readonly uint _c;

    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 12) throw new ArgumentException("an ObjectId is exactly 12 bytes", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
    }

    public static ObjectId Empty => default;

    public static ObjectId NewId() => NewId(DateTimeOffset.UtcNow);

    public static ObjectId NewId(DateTimeOffset time)
    {
        Span<byte> b = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)time.ToUnixTimeSeconds());
        ProcessRandom.CopyTo(b[4..]);
        var n = Interlocked.Increment(ref _counter) & 0xFFFFFF;
        b[9] = (byte)(n >> 16);
        b[10] = (byte)(n >> 8);
        b[11] = (byte)n;
        return new ObjectId(b);
    }

    public DateTimeOffset CreationTime => DateTimeOffset.FromUnixTimeSeconds(_a);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _c);
    }

    public byte[] ToByteArray()
    {
        var b = new byte[12];
        WriteTo(b);
        return b;
    }

    public static ObjectId Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException($"'{hex}' is not a 24-digit hexadecimal ObjectId");

    public static bool TryParse(ReadOnlySpan<char> hex, out ObjectId id)
    {
        id = default;
        if (hex.Length != 24) return false;
        Span<byte> b = stackalloc byte[12];
        for (var i = 0; i < 12; i++)
        {
            if (!byte.TryParse(hex.Slice(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out b[i]))
                return false;
        }
        id = new ObjectId(b);
        return true;
    }

    public override string ToString() => $"{_a:x8}{_b:x8}{_c:x8}";
    public bool Equals(ObjectId other) => _a == other._a && _b == other._b && _c == other._c;
    public override bool Equals(object? obj) => obj is ObjectId o && Equals(o);
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public int CompareTo(ObjectId other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public static bool operator ==(ObjectId l, ObjectId r) => l.Equals(r);
    public static bool operator !=(ObjectId l, ObjectId r) => !l.Equals(r);
}
