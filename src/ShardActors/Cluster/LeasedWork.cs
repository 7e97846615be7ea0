using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Cluster;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Cluster;

/// <summary>The actor a unit entity started for its unit, and the generation of the unit it works on.</summary>
public sealed record LeasedWorkStart(Props Props, int Generation);

/// <summary>
/// The plug-in point of the sharded work units: which units may be leased now (listed by every node's
/// <see cref="UnitObserver"/>, started by the singleton's <see cref="UnitDispatcher"/>), and the actor that works one under
/// its fence. The <see cref="UnitEntity"/> owns the lease's life (take, renew, stop, hand back); this owns the meaning of
/// the unit. A unit's actor ends its unit by stopping (or by telling the entity it is done, for the DynamoDB units).
/// </summary>
public interface ILeasedWork
{
    TimeProvider Clock { get; }

    ILoggerFactory Loggers { get; }

    /// <summary>True once the node began a graceful stop: no lease is taken any more.</summary>
    bool IsDraining { get; }

    Task<IReadOnlyList<LeasedUnit>> ListAsync(LeaseTable leases, CancellationToken cancellationToken);

    /// <summary>The actor for <paramref name="key"/> under <paramref name="fence"/>; null when the unit no longer runs (its lease is handed back).</summary>
    Task<LeasedWorkStart?> StartAsync(LeaseKey key, LeaseFence fence, IActorRef worker, CancellationToken cancellationToken);

    /// <summary>A stream unit found a gap (a DynamoDB shard: its table's; a MongoDB change stream: its lost resume point); written through the unit's fence.</summary>
    Task ReportGapAsync(LeaseKey key, int generation, StreamGapDetected gap, LeaseFence fence, CancellationToken cancellationToken);
}
