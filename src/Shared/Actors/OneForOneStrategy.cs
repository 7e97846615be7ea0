namespace Replication.Actors;

/// <summary>Applies the decider's directive to the failing child only.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider, RestartBackoff? backoff = null)
    {
        ArgumentNullException.ThrowIfNull(decider);
        if (withinTimeRange <= TimeSpan.Zero && withinTimeRange != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), withinTimeRange, "The retry window must be positive or infinite.");
        }

        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Backoff = backoff;
        _decider = decider;
    }

    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, Timeout.InfiniteTimeSpan, decider)
    {
    }

    public override int MaxNrOfRetries { get; }

    public override TimeSpan WithinTimeRange { get; }

    public override RestartBackoff? Backoff { get; }

    public OneForOneStrategy WithBackoff(TimeSpan min, TimeSpan max, double randomFactor = 0.2) =>
        new(MaxNrOfRetries, WithinTimeRange, _decider, new RestartBackoff(min, max, randomFactor));

    public override Directive Decide(Exception cause) => _decider(cause);
}
