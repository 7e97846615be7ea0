using System.Globalization;

namespace Replication.Actors;

/// <summary>Parses HOCON duration values (<c>250ms</c>, <c>30 s</c>, <c>2 minutes</c>, a bare number of milliseconds) and <c>infinite</c>.</summary>
internal static class HoconDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var trimmed = text.Trim();
        if (trimmed.Equals("infinite", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }

        var split = 0;
        while (split < trimmed.Length && (char.IsDigit(trimmed[split]) || trimmed[split] is '.' or '-' or '+'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(trimmed.AsSpan(0, split), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return false;
        }

        double? milliseconds = trimmed[split..].Trim() switch
        {
            "" or "ms" or "milli" or "millis" or "millisecond" or "milliseconds" => number,
            "us" or "micro" or "micros" or "microsecond" or "microseconds" => number / 1_000,
            "ns" or "nano" or "nanos" or "nanosecond" or "nanoseconds" => number / 1_000_000,
            "s" or "second" or "seconds" => number * 1_000,
            "m" or "minute" or "minutes" => number * 60_000,
            "h" or "hour" or "hours" => number * 3_600_000,
            "d" or "day" or "days" => number * 86_400_000,
            _ => null,
        };
        if (milliseconds is null)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds.Value);
        return true;
    }
}
