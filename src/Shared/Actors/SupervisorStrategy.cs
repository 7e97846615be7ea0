namespace Replication.Actors;

/// <summary>How a parent treats a failing child. Only one-for-one supervision exists in this kernel.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>Akka's default decider: initialization failures, Kill and death pacts stop the child, everything else restarts it.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Stops every failing child.</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; negative means unlimited.</summary>
    public abstract int MaxNrOfRetries { get; }

    /// <summary>Window that <see cref="MaxNrOfRetries"/> counts in; <see cref="Timeout.InfiniteTimeSpan"/> for a lifetime count.</summary>
    public abstract TimeSpan WithinTimeRange { get; }

    /// <summary>Back-off between restarts; null takes the system's configured default.</summary>
    public abstract RestartBackoff? Backoff { get; }

    public abstract Directive Decide(Exception cause);
}
