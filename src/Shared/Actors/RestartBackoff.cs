namespace Replication.Actors;

/// <summary>
/// Exponential back-off between restarts of a failing child: <c>min(Max, Min · 2^attempt) · (1 + random · RandomFactor)</c>.
/// The jitter only lengthens the delay, so a restart never comes sooner than <see cref="Min"/>; it spreads out
/// restarts of many children that failed for one shared cause (a database that went away).
/// </summary>
public sealed record RestartBackoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    public static readonly RestartBackoff Immediate = new(TimeSpan.Zero, TimeSpan.Zero, 0);

    public TimeSpan DelayFor(int attempt, double random)
    {
        if (Min <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var exponential = Min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(Math.Max(Max.TotalMilliseconds, Min.TotalMilliseconds), exponential);
        return TimeSpan.FromMilliseconds(capped * (1 + random * Math.Max(0, RandomFactor)));
    }

    /// <summary>A child that stayed up this long since its last restart starts its back-off from <see cref="Min"/> again.</summary>
    public TimeSpan ResetAfter => Max > Min ? Max : Min;
}
