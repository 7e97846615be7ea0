namespace Replication.Coordinator.Management.Progress;

/// <summary>
/// Rates from counters read at successive requests (the checkpoints hold totals, not rates). The rate is measured from a
/// baseline that slides forward once it is older than <paramref name="window"/>, so it follows changes without
/// jumping on two requests a few milliseconds apart.
/// </summary>
internal sealed class RateSampler(TimeSpan window, TimeSpan minimumSpan)
{
    private readonly Dictionary<string, Samples> _series = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <returns>Units per second since the baseline; null on the first reading, after a reset, or too soon after the baseline.</returns>
    public double? Observe(string series, long value, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_series.TryGetValue(series, out var samples) || value < samples.Baseline.Value || now < samples.Baseline.At)
            {
                _series[series] = new Samples(new Sample(now, value), new Sample(now, value));
                return null;
            }
            var span = now - samples.Baseline.At;
            double? rate = span >= minimumSpan ? (value - samples.Baseline.Value) / span.TotalSeconds : null;
            var baseline = span > window ? samples.Latest : samples.Baseline;
            _series[series] = new Samples(baseline, new Sample(now, value));
            return rate;
        }
    }

    /// <summary>Forgets every series not in <paramref name="current"/>, so series of units long gone do not pile up.</summary>
    public void RetainOnly(IReadOnlySet<string> current)
    {
        lock (_gate)
        {
            foreach (var gone in _series.Keys.Where(k => !current.Contains(k)).ToList()) _series.Remove(gone);
        }
    }

    private readonly record struct Sample(DateTimeOffset At, long Value);

    private readonly record struct Samples(Sample Baseline, Sample Latest);
}
