using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Cluster;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// A MongoDB source's leased units in a cluster: the <c>_id</c> ranges the coordinator planned and made leasable. Each
/// taken range is copied by a <see cref="RangeCopierActor"/> under the range's fence (target, dead-letter and checkpoint
/// writes), which stops itself when the range is done, so its unit entity hands the lease back.
/// </summary>
public sealed class MongoRangeLeasedWork(MongoSyncPipeline pipeline, MongoSyncCheckpoints checkpoints, ILoggerFactory loggers) : ILeasedWork
{
    public TimeProvider Clock => TimeProvider.System;

    public ILoggerFactory Loggers => loggers;

    public bool IsDraining => pipeline.Drain.IsDraining;

    public Task<IReadOnlyList<LeasedUnit>> ListAsync(LeaseTable leases, CancellationToken cancellationToken) => leases.ListMongoRangesAsync(cancellationToken);

    public async Task<LeasedWorkStart?> StartAsync(LeaseKey key, LeaseFence fence, IActorRef worker, CancellationToken cancellationToken)
    {
        if (key is not MongoRangeLeaseKey leased) throw new ArgumentOutOfRangeException(nameof(key), key, "not a MongoDB range");
        var range = await checkpoints.FindRangeAsync(leased.RangeId, cancellationToken).ConfigureAwait(false);
        if (range is null || range.Done || range.Generation != leased.Generation) return null;
        // The planner of these services is never used here: planning is the coordinator's.
        return new LeasedWorkStart(RangeCopierActor.Props(pipeline.CopyServices(range.Generation, dropTargets: false), range, fence), range.Generation);
    }

    public Task ReportGapAsync(LeaseKey key, int generation, StreamGapDetected gap, LeaseFence fence, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a MongoDB range has no stream shards");
}
