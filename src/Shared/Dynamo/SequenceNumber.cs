using System.Globalization;
using System.Numerics;

namespace Replication.Dynamo;

/// <summary>
/// A stream record's sequence number: up to 40 decimal digits, ordered as a number ("9" &lt; "10"), while the
/// original text is what goes back to the service and into checkpoints.
/// </summary>
public readonly struct SequenceNumber : IEquatable<SequenceNumber>, IComparable<SequenceNumber>
{
    private readonly string? _text;
    private readonly BigInteger _value;

    private SequenceNumber(string text, BigInteger value)
    {
        _text = text;
        _value = value;
    }

    public static SequenceNumber Parse(string text)
    {
        if (!TryParse(text, out var result))
            throw new FormatException($"'{text}' is not a DynamoDB stream sequence number (decimal digits only)");
        return result;
    }

    public static bool TryParse(string? text, out SequenceNumber result)
    {
        result = default;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit)) return false;
        result = new SequenceNumber(text, BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
        return true;
    }

    public bool IsEmpty => _text is null;
    public BigInteger Value => _value;

    public int CompareTo(SequenceNumber other) => _value.CompareTo(other._value);
    public bool Equals(SequenceNumber other) => _value == other._value && IsEmpty == other.IsEmpty;
    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();

    /// <summary>The text exactly as the service sent it.</summary>
    public override string ToString() => _text ?? "";

    public static bool operator ==(SequenceNumber a, SequenceNumber b) => a.Equals(b);
    public static bool operator !=(SequenceNumber a, SequenceNumber b) => !a.Equals(b);
    public static bool operator <(SequenceNumber a, SequenceNumber b) => a.CompareTo(b) < 0;
    public static bool operator >(SequenceNumber a, SequenceNumber b) => a.CompareTo(b) > 0;
    public static bool operator <=(SequenceNumber a, SequenceNumber b) => a.CompareTo(b) <= 0;
    public static bool operator >=(SequenceNumber a, SequenceNumber b) => a.CompareTo(b) >= 0;
}
