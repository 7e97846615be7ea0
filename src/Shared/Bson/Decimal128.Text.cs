using System.Globalization;

namespace Replication.Bson;

// Text conversion per the BSON Decimal128 specification: parsing never rounds (a value that would need rounding is
// rejected, as the BSON corpus requires), formatting follows the spec's scientific-or-regular rule.
public readonly partial struct Decimal128 : ISpanFormattable
{
    private const int MaxDigits = 34;
    private const int ExponentBias = 6176;
    private const int MinExponent = -6176;
    private const int MaxExponent = 6111;
    private const ulong SignBit = 1UL << 63;
    private const ulong InfinityHigh = 0x7800000000000000;
    private const ulong NaNHigh = 0x7C00000000000000;

    // 10^34 - 1, the largest coefficient a canonical decimal128 holds.
    private static readonly UInt128 MaxCoefficient = UInt128.Parse("9999999999999999999999999999999999", CultureInfo.InvariantCulture);

    public static Decimal128 Zero => new(0x3040000000000000, 0);
    public static Decimal128 NaN => new(NaNHigh, 0);
    public static Decimal128 PositiveInfinity => new(InfinityHigh, 0);
    public static Decimal128 NegativeInfinity => new(InfinityHigh | SignBit, 0);

    public bool IsNaN => (High & 0x7C00000000000000) == 0x7C00000000000000;
    public bool IsInfinity => (High & 0x7C00000000000000) == 0x7800000000000000;
    public bool IsFinite => (High & 0x7800000000000000) != 0x7800000000000000;
    public bool IsNegative => (High & SignBit) != 0;

    /// <summary>The unbiased exponent of a finite value.</summary>
    public int Exponent
    {
        get
        {
            if (!IsFinite) throw new InvalidOperationException("NaN and Infinity have no exponent");
            return (IsNonCanonicalForm ? (int)((High >> 47) & 0x3FFF) : (int)((High >> 49) & 0x3FFF)) - ExponentBias;
        }
    }

    /// <summary>The coefficient of a finite value; a coefficient above 10^34 - 1 is read as zero, as the spec requires.</summary>
    public UInt128 Coefficient
    {
        get
        {
            if (!IsFinite) throw new InvalidOperationException("NaN and Infinity have no coefficient");
            if (IsNonCanonicalForm) return UInt128.Zero;
            var c = new UInt128(High & 0x1FFFFFFFFFFFF, Low);
            return c > MaxCoefficient ? UInt128.Zero : c;
        }
    }

    // The "11" combination-field form implies a coefficient of at least 2^113, which exceeds 10^34 - 1.
    private bool IsNonCanonicalForm => (High & 0x6000000000000000) == 0x6000000000000000;

    public static Decimal128 Parse(string s) => Parse(s.AsSpan());

    public static Decimal128 Parse(ReadOnlySpan<char> s) =>
        TryParse(s, out var d) ? d : throw new FormatException($"'{s}' is not a decimal128 value that can be represented exactly");

    /// <summary>
    /// Parses a decimal number, "Infinity"/"Inf" or "NaN" (case-insensitive, optionally signed). Fails on bad syntax
    /// and on any value that cannot be stored without rounding (more than 34 significant digits, or an exponent
    /// that clamping cannot bring into range).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Decimal128 value) => TryParseCore(s, allowSpecials: true, out value);

    /// <summary>
    /// Parses a finite decimal number (no NaN/Infinity) that decimal128 holds exactly; the check a converter needs
    /// before it chooses Decimal128 over a lossless fallback such as a string.
    /// </summary>
    public static bool TryParseExact(ReadOnlySpan<char> s, out Decimal128 value) => TryParseCore(s, allowSpecials: false, out value);

    /// <summary><see cref="TryParseExact(ReadOnlySpan{char}, out Decimal128)"/> for number text still in UTF-8, as a JSON reader holds it.</summary>
    public static bool TryParseExact(ReadOnlySpan<byte> utf8, out Decimal128 value)
    {
        Span<char> chars = utf8.Length <= 128 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        if (System.Text.Ascii.ToUtf16(utf8, chars, out var n) != System.Buffers.OperationStatus.Done)
        {
            value = default;
            return false;
        }
        return TryParseCore(chars[..n], allowSpecials: false, out value);
    }

    private static bool TryParseCore(ReadOnlySpan<char> s, bool allowSpecials, out Decimal128 value)
    {
        value = default;
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        var rest = s[i..];
        if (allowSpecials)
        {
            if (rest.Equals("infinity", StringComparison.OrdinalIgnoreCase) || rest.Equals("inf", StringComparison.OrdinalIgnoreCase))
            {
                value = negative ? NegativeInfinity : PositiveInfinity;
                return true;
            }
            if (rest.Equals("nan", StringComparison.OrdinalIgnoreCase))
            {
                value = NaN;
                return true;
            }
        }

        // Significant digits, leading zeros dropped; at most what a 34-digit coefficient plus trailing zeros needs
        // is kept exactly, and further non-zero digits make the value inexact.
        Span<byte> digits = stackalloc byte[MaxDigits];
        var digitCount = 0;
        long trailingDropped = 0; // significant digits beyond MaxDigits, all zero so far
        var sawDigit = false;
        var sawPoint = false;
        long fractionDigits = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                if (sawPoint) return false;
                sawPoint = true;
                continue;
            }
            if (c is < '0' or > '9') break;
            sawDigit = true;
            if (sawPoint) fractionDigits++;
            if (digitCount == 0 && c == '0') continue;
            if (digitCount < MaxDigits) digits[digitCount++] = (byte)(c - '0');
            else if (c != '0') return false; // would need rounding
            else trailingDropped++;
        }
        if (!sawDigit) return false;

        long exponent = 0;
        if (i < s.Length)
        {
            if (s[i] is not ('e' or 'E')) return false;
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                expNegative = s[i] == '-';
                i++;
            }
            if (i >= s.Length) return false;
            for (; i < s.Length; i++)
            {
                var c = s[i];
                if (c is < '0' or > '9') return false;
                // Saturate: anything this large is out of range whatever the digits say.
                if (exponent < 1_000_000_000_000L) exponent = exponent * 10 + (c - '0');
            }
            if (expNegative) exponent = -exponent;
        }

        exponent = exponent - fractionDigits + trailingDropped;

        if (digitCount == 0)
        {
            // Zero is exact at any exponent; clamping it changes only the representation.
            value = Encode(negative, UInt128.Zero, (int)Math.Clamp(exponent, MinExponent, MaxExponent));
            return true;
        }

        // Strip trailing zeros while the exponent is too small (exact), pad with zeros while it is too large (exact
        // while the coefficient has room); anything else would round or overflow.
        while (exponent < MinExponent)
        {
            if (digits[digitCount - 1] != 0) return false;
            digitCount--;
            exponent++;
        }
        var coefficient = UInt128.Zero;
        for (var k = 0; k < digitCount; k++) coefficient = coefficient * 10 + digits[k];
        while (exponent > MaxExponent)
        {
            if (digitCount >= MaxDigits) return false;
            coefficient *= 10;
            digitCount++;
            exponent--;
        }

        value = Encode(negative, coefficient, (int)exponent);
        return true;
    }

    private static Decimal128 Encode(bool negative, UInt128 coefficient, int exponent)
    {
        var biased = (ulong)(exponent + ExponentBias);
        var high = (ulong)(coefficient >> 64) | (biased << 49);
        if (negative) high |= SignBit;
        return new Decimal128(high, (ulong)coefficient);
    }

    public override string ToString()
    {
        Span<char> buffer = stackalloc char[64];
        TryFormat(buffer, out var n);
        return new string(buffer[..n]);
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        // Longest form: "-" + 34 digits + "." + "E+6144"-style exponent, or "-0." + 5 zeros + 34 digits.
        Span<char> text = stackalloc char[64];
        var n = Format(text);
        charsWritten = 0;
        if (n > destination.Length) return false;
        text[..n].CopyTo(destination);
        charsWritten = n;
        return true;
    }

    private int Format(Span<char> o)
    {
        if (IsNaN) return Write(o, 0, "NaN");
        var pos = 0;
        if (IsNegative) o[pos++] = '-';
        if (IsInfinity) return Write(o, pos, "Infinity");

        Span<char> digits = stackalloc char[40];
        Coefficient.TryFormat(digits, out var digitCount, default, CultureInfo.InvariantCulture);
        var exponent = Exponent;
        var adjusted = exponent + (digitCount - 1);

        if (exponent <= 0 && adjusted >= -6)
        {
            if (exponent == 0) return Write(o, pos, digits[..digitCount]);
            var fraction = -exponent;
            if (digitCount > fraction)
            {
                pos = Write(o, pos, digits[..(digitCount - fraction)]);
                o[pos++] = '.';
                return Write(o, pos, digits[(digitCount - fraction)..digitCount]);
            }
            o[pos++] = '0';
            o[pos++] = '.';
            for (var k = 0; k < fraction - digitCount; k++) o[pos++] = '0';
            return Write(o, pos, digits[..digitCount]);
        }

        o[pos++] = digits[0];
        if (digitCount > 1)
        {
            o[pos++] = '.';
            pos = Write(o, pos, digits[1..digitCount]);
        }
        o[pos++] = 'E';
        if (adjusted >= 0) o[pos++] = '+';
        adjusted.TryFormat(o[pos..], out var w, default, CultureInfo.InvariantCulture);
        return pos + w;
    }

    private static int Write(Span<char> destination, int pos, ReadOnlySpan<char> text)
    {
        text.CopyTo(destination[pos..]);
        return pos + text.Length;
    }
}
