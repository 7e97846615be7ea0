using System.Globalization;
using System.Numerics;

namespace Replication.Hocon;

/// <summary>The spec's duration and size formats, and its boolean words.</summary>
internal static class HoconUnits
{
    private static readonly (string[] Names, decimal Ticks)[] DurationUnits =
    [
        (["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 0.01m),
        (["us", "micro", "micros", "microsecond", "microseconds"], 10m),
        (["ms", "milli", "millis", "millisecond", "milliseconds"], TimeSpan.TicksPerMillisecond),
        (["s", "second", "seconds"], TimeSpan.TicksPerSecond),
        (["m", "minute", "minutes"], TimeSpan.TicksPerMinute),
        (["h", "hour", "hours"], TimeSpan.TicksPerHour),
        (["d", "day", "days"], TimeSpan.TicksPerDay),
    ];

    private static readonly Dictionary<string, BigInteger> SizeUnits = BuildSizeUnits();

    private static Dictionary<string, BigInteger> BuildSizeUnits()
    {
        var units = new Dictionary<string, BigInteger>(StringComparer.Ordinal)
        {
            ["B"] = 1, ["b"] = 1, ["byte"] = 1, ["bytes"] = 1,
        };
        string[] letters = ["K", "M", "G", "T", "P", "E", "Z", "Y"];
        string[] decimalNames = ["kilo", "mega", "giga", "tera", "peta", "exa", "zetta", "yotta"];
        string[] binaryNames = ["kibi", "mebi", "gibi", "tebi", "pebi", "exbi", "zebi", "yobi"];
        for (var i = 0; i < letters.Length; i++)
        {
            var power = i + 1;
            var decimalFactor = BigInteger.Pow(1000, power);
            var binaryFactor = BigInteger.Pow(1024, power);
            // The spec: "kB" is decimal, while a single letter (either case), "Ki" and "KiB" are binary.
            units[(i == 0 ? "k" : letters[i]) + "B"] = decimalFactor;
            units[decimalNames[i] + "byte"] = decimalFactor;
            units[decimalNames[i] + "bytes"] = decimalFactor;
            units[letters[i]] = binaryFactor;
            units[letters[i].ToLowerInvariant()] = binaryFactor;
            units[letters[i] + "i"] = binaryFactor;
            units[letters[i] + "iB"] = binaryFactor;
            units[binaryNames[i] + "byte"] = binaryFactor;
            units[binaryNames[i] + "bytes"] = binaryFactor;
        }

        return units;
    }

    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "yes" or "on":
                value = true;
                return true;
            case "false" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>`30s`, `100 ms`, `5 minutes`, `1.5h`; a bare number is milliseconds; `infinite` is <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text is "infinite" or "inf")
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (!TrySplit(text, out var number, out var unit)) return false;
        decimal ticksPerUnit;
        if (unit.Length == 0) ticksPerUnit = TimeSpan.TicksPerMillisecond;
        else if (DurationUnits.FirstOrDefault(u => u.Names.Contains(unit)) is { Names: not null } match) ticksPerUnit = match.Ticks;
        else return false;
        try
        {
            var ticks = decimal.Round(number * ticksPerUnit);
            if (ticks < TimeSpan.MinValue.Ticks || ticks > TimeSpan.MaxValue.Ticks) return false;
            value = TimeSpan.FromTicks((long)ticks);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>`64MiB`, `10kB`, `1k`, `512`; a bare number is bytes.</summary>
    public static bool TryParseBytes(string text, out long value)
    {
        value = 0;
        if (!TrySplit(text.Trim(), out var number, out var unit)) return false;
        BigInteger factor = 1;
        if (unit.Length > 0 && !SizeUnits.TryGetValue(unit, out factor)) return false;
        var whole = decimal.Truncate(number);
        var bytes = new BigInteger(whole) * factor + new BigInteger(decimal.Round((number - whole) * 1_000_000_000m)) * factor / 1_000_000_000;
        if (bytes < 0 || bytes > long.MaxValue) return false;
        value = (long)bytes;
        return true;
    }

    private static bool TrySplit(string text, out decimal number, out string unit)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '-' or '+' or 'e' or 'E') &&
               !(text[end] is 'e' or 'E' && (end + 1 >= text.Length || !(char.IsAsciiDigit(text[end + 1]) || text[end + 1] is '-' or '+'))))
            end++;
        unit = text[end..].Trim();
        return decimal.TryParse(text.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }
}
