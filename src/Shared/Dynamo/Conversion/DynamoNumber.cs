using System.Globalization;
using Replication.Bson;

namespace Replication.Dynamo.Conversion;

internal enum NumberKind : byte
{
    Int32,
    Int64,
    Decimal128,

    /// <summary>Not exactly representable as any BSON number: kept as its text.</summary>
    Text,
}

/// <summary>
/// The lossless reading of a DynamoDB number (up to 38 significant digits, exponent -130..+125, written in any of
/// "100", "1E+2", "-0", "0.10", "100E-2"): an integer when the value is integral and fits, else a Decimal128 when
/// it has at most 34 significant digits, else the text itself.
/// </summary>
internal readonly struct DynamoNumber
{
    private DynamoNumber(NumberKind kind, long integer, Decimal128 @decimal)
    {
        Kind = kind;
        Integer = integer;
        Decimal = @decimal;
    }

    public NumberKind Kind { get; }

    /// <summary>The value when <see cref="Kind"/> is Int32 or Int64.</summary>
    public long Integer { get; }

    /// <summary>The value when <see cref="Kind"/> is Decimal128.</summary>
    public Decimal128 Decimal { get; }

    public static bool TryParse(ReadOnlySpan<byte> text, out DynamoNumber number)
    {
        number = default;
        if (!TryScan(text, out var negative, out var intDigits, out var fracDigits, out var exponent)) return false;

        var total = intDigits.Length + fracDigits.Length;
        var first = 0;
        while (first < total && DigitAt(intDigits, fracDigits, first) == 0) first++;
        if (first == total)
        {
            // Every zero, "-0" included, is the integer 0: BSON has no integer negative zero and MongoDB compares them equal.
            number = new DynamoNumber(NumberKind.Int32, 0, default);
            return true;
        }
        var last = total - 1;
        while (DigitAt(intDigits, fracDigits, last) == 0) last--;
        var significant = last - first + 1;
        // The exponent of the last significant digit.
        var significantExponent = exponent - fracDigits.Length + (total - 1 - last);

        if (significantExponent >= 0 && significant + significantExponent <= 19)
        {
            var magnitude = Accumulate(intDigits, fracDigits, first, last);
            for (var i = 0; i < significantExponent; i++) magnitude *= 10;
            if (TryInteger(negative, magnitude, out number)) return true;
        }

        // Decimal128's own exact parse keeps the digits as written ("0.10" stays 0.10) and refuses anything it would
        // have to round: more than 34 significant digits.
        number = Decimal128.TryParseExact(text, out var exact)
            ? new DynamoNumber(NumberKind.Decimal128, 0, exact)
            : new DynamoNumber(NumberKind.Text, 0, default);
        return true;
    }

    /// <summary>The nearest double (NimoShake's mapping); false when the text is not a number.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        // Our own syntax check first: double.TryParse would also take "NaN", "Infinity" and surrounding blanks.
        return TryScan(text, out _, out _, out _, out _)
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The number as sign, significant digits (ASCII, no leading or trailing zeros; empty for zero) and the decimal
    /// exponent of the first of them: 1.5 is ("15", 0), -0.02 is (negative, "2", -2). False when it is not a number.
    /// </summary>
    public static bool TryGetDigits(ReadOnlySpan<byte> text, out bool negative, out byte[] digits, out long exponent)
    {
        digits = [];
        exponent = 0;
        if (!TryScan(text, out negative, out var intDigits, out var fracDigits, out var written)) return false;
        var total = intDigits.Length + fracDigits.Length;
        var first = 0;
        while (first < total && DigitAt(intDigits, fracDigits, first) == 0) first++;
        if (first == total) return true;
        var last = total - 1;
        while (DigitAt(intDigits, fracDigits, last) == 0) last--;
        digits = new byte[last - first + 1];
        for (var k = first; k <= last; k++) digits[k - first] = (byte)('0' + DigitAt(intDigits, fracDigits, k));
        exponent = written + intDigits.Length - 1 - first;
        return true;
    }

    // [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa digit.
    private static bool TryScan(ReadOnlySpan<byte> text, out bool negative, out ReadOnlySpan<byte> intDigits, out ReadOnlySpan<byte> fracDigits, out long exponent)
    {
        negative = false;
        intDigits = fracDigits = default;
        exponent = 0;
        var i = 0;
        if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
        {
            negative = text[i] == (byte)'-';
            i++;
        }
        var start = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        intDigits = text[start..i];
        if (i < text.Length && text[i] == (byte)'.')
        {
            start = ++i;
            while (i < text.Length && IsDigit(text[i])) i++;
            fracDigits = text[start..i];
        }
        if (intDigits.Length + fracDigits.Length == 0) return false;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            var negativeExponent = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
            {
                negativeExponent = text[i] == (byte)'-';
                i++;
            }
            start = i;
            while (i < text.Length && IsDigit(text[i]))
            {
                // Saturate far beyond any representable exponent rather than overflow.
                if (exponent < 1_000_000_000) exponent = exponent * 10 + (text[i] - '0');
                i++;
            }
            if (i == start) return false;
            if (negativeExponent) exponent = -exponent;
        }
        return i == text.Length;
    }

    private static bool TryInteger(bool negative, ulong magnitude, out DynamoNumber number)
    {
        if (!negative)
        {
            if (magnitude <= int.MaxValue) { number = new DynamoNumber(NumberKind.Int32, (long)magnitude, default); return true; }
            if (magnitude <= long.MaxValue) { number = new DynamoNumber(NumberKind.Int64, (long)magnitude, default); return true; }
        }
        else
        {
            if (magnitude <= 1UL << 31) { number = new DynamoNumber(NumberKind.Int32, -(long)magnitude, default); return true; }
            if (magnitude <= 1UL << 63) { number = new DynamoNumber(NumberKind.Int64, unchecked((long)(0UL - magnitude)), default); return true; }
        }
        number = default;
        return false;
    }

    private static ulong Accumulate(ReadOnlySpan<byte> intDigits, ReadOnlySpan<byte> fracDigits, int from, int to)
    {
        ulong value = 0;
        for (var k = from; k <= to; k++) value = value * 10 + DigitAt(intDigits, fracDigits, k);
        return value;
    }

    private static uint DigitAt(ReadOnlySpan<byte> intDigits, ReadOnlySpan<byte> fracDigits, int k) =>
        (uint)((k < intDigits.Length ? intDigits[k] : fracDigits[k - intDigits.Length]) - '0');

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
