using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// A MongoDB source's leased units in a cluster: the <c>_id</c> ranges the coordinator planned and made leasable, and
/// the change streams it made leasable once the copy was done. Each taken unit runs under its fence (target,
/// dead-letter and checkpoint writes): a range by a <see cref="RangeCopierActor"/>, which stops itself when the range is
/// done, so its unit entity hands the lease back; a stream by a <see cref="ChangeStreamActor"/>, which follows it from
/// its checkpointed resume token for as long as the lease is this node's.
/// </summary>
public sealed class MongoLeasedWork(MongoSyncPipeline pipeline, MongoSyncCheckpoints checkpoints, ILoggerFactory loggers) : ILeasedWork
{
    public TimeProvider Clock => TimeProvider.System;

    public ILoggerFactory Loggers => loggers;

    public bool IsDraining => pipeline.Drain.IsDraining;

    public Task<IReadOnlyList<LeasedUnit>> ListAsync(LeaseTable leases, CancellationToken cancellationToken) => leases.ListMongoUnitsAsync(cancellationToken);

    public async Task<LeasedWorkStart?> StartAsync(LeaseKey key, LeaseFence fence, IActorRef worker, CancellationToken cancellationToken)
    {
        switch (key)
        {
            case MongoRangeLeaseKey leased:
            {
                var range = await checkpoints.FindRangeAsync(leased.RangeId, cancellationToken).ConfigureAwait(false);
                if (range is null || range.Done || range.Generation != leased.Generation) return null;
                // The planner of these services is never used here: planning is the coordinator's.
                return new LeasedWorkStart(RangeCopierActor.Props(pipeline.CopyServices(range.Generation, dropTargets: false), range, fence), range.Generation);
            }
            case ChangeStreamLeaseKey stream:
            {
                var checkpoint = await checkpoints.FindStreamAsync(stream.Unit, stream.Generation, cancellationToken).ConfigureAwait(false);
                if (checkpoint is null) return null;
                return new LeasedWorkStart(ChangeStreamActor.Props(pipeline.StreamServices(stream.Generation), stream.Unit, fence, worker), stream.Generation);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(key), key, "not a MongoDB source's unit");
        }
    }

    /// <summary>A leased stream's resume point left the source's oplog: recorded, under its lease, for the coordinator to decide (re-sync or stop).</summary>
    public async Task ReportGapAsync(LeaseKey key, int generation, StreamGapDetected gap, LeaseFence fence, CancellationToken cancellationToken)
    {
        if (key is not ChangeStreamLeaseKey stream) throw new NotSupportedException("only a change stream finds a gap");
        try
        {
            await fence.WriteAsync(token => checkpoints.ReportStreamLostAsync(stream.Unit, generation, gap.Reason, fence.Claim, token), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (CheckpointConflictException e)
        {
            // Another node holds the stream now, or a re-sync replaced it: this node's report no longer counts.
            throw new LeaseLostException(fence.Claim, e.Message);
        }
    }
}
