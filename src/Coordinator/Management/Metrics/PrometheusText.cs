using System.Globalization;
using System.Text;

namespace Replication.Coordinator.Management.Metrics;

/// <summary>The Prometheus text exposition format 0.0.4: metric and label names, escaping, numbers.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// OpenTelemetry's mapping: dots and other invalid characters become underscores, the unit is appended as a word
    /// (s → seconds) unless it is an annotation such as {item}, and counters end in _total.
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, MetricType type)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var unitWord = UnitWord(unit);
        if (unitWord.Length > 0 && !name.EndsWith("_" + unitWord, StringComparison.Ordinal)) name += "_" + unitWord;
        if (type == MetricType.Counter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    public static string LabelName(string tag) => Sanitize(tag, allowColon: false);

    private static string UnitWord(string? unit) => unit switch
    {
        null or "" or "1" => "",
        _ when unit.StartsWith('{') => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "%" => "percent",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Sanitize(string text, bool allowColon)
    {
        var builder = new StringBuilder(text.Length + 1);
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static void AppendLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                default: builder.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static string EscapeHelp(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public static void AppendLabels(StringBuilder builder, IReadOnlyList<KeyValuePair<string, string>> labels, string? extraName = null, string? extraValue = null)
    {
        if (labels.Count == 0 && extraName is null) return;
        builder.Append('{');
        var first = true;
        foreach (var (name, value) in labels)
        {
            if (!first) builder.Append(',');
            first = false;
            builder.Append(name).Append("=\"");
            AppendLabelValue(builder, value);
            builder.Append('"');
        }
        if (extraName is not null)
        {
            if (!first) builder.Append(',');
            builder.Append(extraName).Append("=\"").Append(extraValue).Append('"');
        }
        builder.Append('}');
    }
}

internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
