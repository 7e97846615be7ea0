using Replication.Actors;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;

namespace Replication.ShardActors;

/// <summary>
/// How table actors supervise their segment and shard actors (and the coordinator its tables): restart with
/// exponential back-off and jitter, from the last checkpoint, as often as needed — a source or target outage must not
/// end a replication that runs for weeks. A table that no longer exists is escalated so its owner can stop it.
/// </summary>
public static class WorkerSupervision
{
    public static SupervisorStrategy Strategy { get; } = new OneForOneStrategy(
        maxNrOfRetries: -1,
        withinTimeRange: Timeout.InfiniteTimeSpan,
        decider: Decide,
        backoff: new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2));

    private static Directive Decide(Exception cause) =>
        IsTableGone(cause) ? Directive.Escalate : Directive.Restart;

    /// <summary>The failure, however wrapped, says the table (or its stream) no longer exists: restarting cannot help.</summary>
    public static bool IsTableGone(Exception cause) =>
        cause is DynamoResourceNotFoundException or DynamoTableNotFoundException || cause.InnerException is { } inner && IsTableGone(inner);
}
