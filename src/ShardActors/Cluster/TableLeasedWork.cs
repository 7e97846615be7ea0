using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;
using Replication.ShardActors.Tables;

namespace Replication.ShardActors.Cluster;

/// <summary>The DynamoDB source's leased units: Scan segments of running full syncs (SegmentActor) and leasable stream shards (ShardActor).</summary>
public sealed class TableLeasedWork(ReplicationServices services) : ILeasedWork
{
    public TimeProvider Clock => services.Clock;

    public ILoggerFactory Loggers => services.Loggers;

    public bool IsDraining => services.Drain.IsDraining;

    public Task<IReadOnlyList<LeasedUnit>> ListAsync(LeaseTable leases, CancellationToken cancellationToken) => leases.ListAsync(cancellationToken);

    public async Task<LeasedWorkStart?> StartAsync(LeaseKey key, LeaseFence fence, IActorRef worker, CancellationToken cancellationToken)
    {
        var table = await services.Checkpoints.GetTableAsync(key.Table, cancellationToken);
        if (table is null || key is SegmentLeaseKey s && s.Generation != table.Generation) return null;
        var context = TableContext.From(table, services.Settings.Convert);
        Props props = key switch
        {
            SegmentLeaseKey segment => SegmentActor.Props(services, context, segment.Generation, segment.Segment, segment.TotalSegments, fence),
            ShardLeaseKey shard => ShardActor.Props(services, context, worker,
                new ShardDescription(shard.ShardId, shard.ParentShardId, SequenceNumber.Parse("0"), null), ShardStartMode.Process, fence: fence),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "unknown kind of lease"),
        };
        return new LeasedWorkStart(props, table.Generation);
    }

    public Task ReportGapAsync(LeaseKey key, int generation, StreamGapDetected gap, LeaseFence fence, CancellationToken cancellationToken) =>
        fence.WriteAsync(token => services.Checkpoints.ReportGapAsync(key.Table, generation, new StreamGap(gap.ShardId, gap.Reason), token), cancellationToken);
}
