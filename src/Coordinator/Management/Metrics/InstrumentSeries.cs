using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Replication.Coordinator.Management.Metrics;

/// <summary>
/// What one instrument has measured, per label set. A MeterListener sees measurements, not totals: counters and
/// up-down counters are summed here, observed values (gauges, observable counters) replace the previous value, and
/// histograms are bucketed.
/// </summary>
internal sealed class InstrumentSeries
{
    // OpenTelemetry's default explicit bucket boundaries.
    private static readonly double[] HistogramBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly bool _sums;

    public InstrumentSeries(Instrument instrument)
    {
        Instrument = instrument;
        (Type, _sums) = Classify(instrument);
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, Type);
    }

    public Instrument Instrument { get; }
    public MetricType Type { get; }
    public string Name { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var key = string.Join('\u0001', labels.Select(l => $"{l.Key}\u0002{l.Value}"));
        var series = _series.GetOrAdd(key, static (_, state) => new Series(state), labels);
        series.Record(value, Type, _sums);
    }

    /// <summary>Observable instruments report their whole state on every scrape; a label set they stop reporting must go.</summary>
    public void ForgetObservations()
    {
        if (Instrument.IsObservable) _series.Clear();
    }

    public void Render(StringBuilder output)
    {
        if (!string.IsNullOrEmpty(Instrument.Description))
            output.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(Instrument.Description)).Append('\n');
        output.Append("# TYPE ").Append(Name).Append(' ').Append(Type.ToString().ToLowerInvariant()).Append('\n');
        foreach (var (_, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (Type == MetricType.Histogram) series.RenderHistogram(output, Name, HistogramBounds);
            else series.RenderValue(output, Name);
        }
    }

    private static (MetricType Type, bool Sums) Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>)) return (MetricType.Counter, true);
        if (definition == typeof(UpDownCounter<>)) return (MetricType.Gauge, true);
        if (definition == typeof(ObservableCounter<>)) return (MetricType.Counter, false);
        if (definition == typeof(Histogram<>)) return (MetricType.Histogram, false);
        return (MetricType.Gauge, false);
    }

    private static KeyValuePair<string, string>[] Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            var text = tags[i].Value switch
            {
                null => "",
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            };
            labels[i] = new(PrometheusText.LabelName(tags[i].Key), text);
        }
        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }

    private sealed class Series(KeyValuePair<string, string>[] labels)
    {
        private readonly Lock _gate = new();
        private double _value;
        private long[]? _buckets;
        private double _sum;
        private long _count;

        public void Record(double value, MetricType type, bool sums)
        {
            lock (_gate)
            {
                if (type != MetricType.Histogram)
                {
                    _value = sums ? _value + value : value;
                    return;
                }
                _buckets ??= new long[HistogramBounds.Length + 1];
                var bucket = Array.BinarySearch(HistogramBounds, value);
                _buckets[bucket >= 0 ? bucket : ~bucket]++;
                _sum += value;
                _count++;
            }
        }

        public void RenderValue(StringBuilder output, string name)
        {
            double value;
            lock (_gate) value = _value;
            output.Append(name);
            PrometheusText.AppendLabels(output, labels);
            output.Append(' ').Append(PrometheusText.Number(value)).Append('\n');
        }

        public void RenderHistogram(StringBuilder output, string name, double[] bounds)
        {
            long[] buckets;
            double sum;
            long count;
            lock (_gate)
            {
                buckets = _buckets is null ? new long[bounds.Length + 1] : (long[])_buckets.Clone();
                sum = _sum;
                count = _count;
            }
            long cumulative = 0;
            for (var i = 0; i <= bounds.Length; i++)
            {
                cumulative += buckets[i];
                output.Append(name).Append("_bucket");
                PrometheusText.AppendLabels(output, labels, "le", i < bounds.Length ? PrometheusText.Number(bounds[i]) : "+Inf");
                output.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            output.Append(name).Append("_sum");
            PrometheusText.AppendLabels(output, labels);
            output.Append(' ').Append(PrometheusText.Number(sum)).Append('\n');
            output.Append(name).Append("_count");
            PrometheusText.AppendLabels(output, labels);
            output.Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
