using System.Globalization;

namespace Replication.Bson;

/// <summary>
/// The text of a double in Extended JSON: the shortest digits that round-trip, written plainly when the decimal
/// exponent is in [-4, 16) — always with a fraction, so "1.0" stays a double in relaxed JSON — and otherwise in
/// scientific form with a signed exponent ("1.2345678921232E+18", "1E-7"), the form the BSON corpus uses.
/// Non-finite values are "Infinity", "-Infinity" and "NaN".
/// </summary>
public static class ExtendedJsonDouble
{
    /// <summary>Enough for a sign, 17 digits, a point, up to 4 padding zeros and "E-324".</summary>
    public const int MaxLength = 32;

    public static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var n = Format(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>Writes ASCII text into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value)) return Write(destination, 0, "NaN"u8);
        if (double.IsPositiveInfinity(value)) return Write(destination, 0, "Infinity"u8);
        if (double.IsNegativeInfinity(value)) return Write(destination, 0, "-Infinity"u8);

        var pos = 0;
        if (double.IsNegative(value))
        {
            destination[pos++] = (byte)'-';
            value = -value;
        }
        if (value == 0) return Write(destination, pos, "0.0"u8);

        // .NET's round-trip format gives the shortest digits; only their layout is re-done here.
        Span<byte> text = stackalloc byte[MaxLength];
        value.TryFormat(text, out var textLength, "R", CultureInfo.InvariantCulture);
        text = text[..textLength];

        // Every mantissa digit in order, and how many of them stand before the point.
        Span<byte> digits = stackalloc byte[MaxLength];
        var digitCount = 0;
        var beforePoint = -1;
        var exponent = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.') beforePoint = digitCount;
            else if (c is (byte)'E' or (byte)'e')
            {
                exponent = int.Parse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else digits[digitCount++] = c;
        }
        if (beforePoint < 0) beforePoint = digitCount;

        var first = 0;
        while (digits[first] == '0') first++; // value is non-zero, so a significant digit exists
        digits = digits[first..digitCount];
        digitCount -= first;
        while (digits[digitCount - 1] == '0') digitCount--;

        // Value = 0.d1d2d3... × 10^decimalPoint.
        var decimalPoint = beforePoint - first + exponent;
        var scientific = decimalPoint - 1;

        if (scientific is >= -4 and < 16)
        {
            if (decimalPoint <= 0)
            {
                pos = Write(destination, pos, "0."u8);
                for (var k = 0; k < -decimalPoint; k++) destination[pos++] = (byte)'0';
                return Write(destination, pos, digits[..digitCount]);
            }
            if (decimalPoint >= digitCount)
            {
                pos = Write(destination, pos, digits[..digitCount]);
                for (var k = digitCount; k < decimalPoint; k++) destination[pos++] = (byte)'0';
                return Write(destination, pos, ".0"u8);
            }
            pos = Write(destination, pos, digits[..decimalPoint]);
            destination[pos++] = (byte)'.';
            return Write(destination, pos, digits[decimalPoint..digitCount]);
        }

        destination[pos++] = digits[0];
        if (digitCount > 1)
        {
            destination[pos++] = (byte)'.';
            pos = Write(destination, pos, digits[1..digitCount]);
        }
        destination[pos++] = (byte)'E';
        destination[pos++] = scientific < 0 ? (byte)'-' : (byte)'+';
        Math.Abs(scientific).TryFormat(destination[pos..], out var written, default, CultureInfo.InvariantCulture);
        return pos + written;
    }

    private static int Write(Span<byte> destination, int pos, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination[pos..]);
        return pos + text.Length;
    }
}
