using Akka.Actor;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;

namespace Replication.ShardActors;

/// <summary>
/// How table actors supervise their segment and shard actors (and the coordinator its tables): restart, from the last
/// checkpoint, as often as needed — a source or target outage must not end a replication that runs for weeks. The
/// restarted worker waits <see cref="RestartBackoff.Workers"/> before it begins again, and <see cref="RestartLedger"/>
/// stops a unit that keeps failing at one position. A table that no longer exists is escalated so its owner can stop it.
/// </summary>
public static class WorkerSupervision
{
    public static SupervisorStrategy Strategy { get; } = new OneForOneStrategy(Decide);

    public static Directive Decide(Exception cause) =>
        IsTableGone(cause) ? Directive.Escalate : Directive.Restart;

    /// <summary>The failure, however wrapped, says the table (or its stream) no longer exists: restarting cannot help.</summary>
    public static bool IsTableGone(Exception cause) =>
        cause is DynamoResourceNotFoundException or DynamoTableNotFoundException || cause.InnerException is { } inner && IsTableGone(inner);
}
