namespace Replication.ShardActors;

/// <summary>
/// How long a restarted worker waits before it begins again: <c>min(Max, Min · 2^restarts) · (1 + random · RandomFactor)</c>.
/// Akka's supervisor restarts a failed actor at once; our workers (tables, segments, shards) schedule their start on a
/// timer after this delay instead, so an outage of the source or target is not hammered. The jitter only lengthens
/// the delay; it spreads out the restarts of many workers that failed for one shared cause.
/// </summary>
public sealed record RestartBackoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    /// <summary>The workers' back-off: 1 s after the first failure, doubling up to 30 s.</summary>
    public static readonly RestartBackoff Workers = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);

    /// <param name="restartsInARow">1 for the first restart of a streak.</param>
    public TimeSpan DelayFor(int restartsInARow, double random)
    {
        if (Min <= TimeSpan.Zero) return TimeSpan.Zero;
        var exponential = Min.TotalMilliseconds * Math.Pow(2, Math.Clamp(restartsInARow - 1, 0, 30));
        var capped = Math.Min(Math.Max(Max.TotalMilliseconds, Min.TotalMilliseconds), exponential);
        return TimeSpan.FromMilliseconds(capped * (1 + random * Math.Max(0, RandomFactor)));
    }

    public TimeSpan DelayFor(int restartsInARow) => DelayFor(restartsInARow, Random.Shared.NextDouble());
}
