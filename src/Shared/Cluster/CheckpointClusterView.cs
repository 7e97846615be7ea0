using System.Globalization;
using Replication.Checkpoints;

namespace Replication.Cluster;

/// <summary>The cluster as the checkpoint database records it: members from their heartbeats, leases with their units' positions.</summary>
public sealed class CheckpointClusterView(ClusterContext cluster, CheckpointStore checkpoints) : IClusterView
{
    public string SelfNodeId => cluster.NodeId;

    public async Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken)
    {
        var members = await cluster.Membership.MembersAsync(cancellationToken).ConfigureAwait(false);
        var coordinator = await cluster.Coordinator.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterSnapshot(cluster.NodeId, members, coordinator.IsHeld(DateTimeOffset.UtcNow) ? coordinator.Owner : null);
    }

    public async Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken)
    {
        var views = new List<LeaseView>();
        var coordinator = await cluster.Coordinator.ReadAsync(cancellationToken).ConfigureAwait(false);
        views.Add(new LeaseView(CoordinatorLease.DocumentId, LeaseKind.Coordinator, "", "", coordinator.Owner, coordinator.Counter, coordinator.ExpiresAt,
            coordinator.IsHeld(DateTimeOffset.UtcNow) ? "Held" : "Free", null, null));
        foreach (var table in await checkpoints.ListTablesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (table.FullSync.Status == FullSyncStatus.Running)
            {
                foreach (var segment in table.FullSync.Segments.Values.OrderBy(s => s.Segment))
                {
                    var key = new SegmentLeaseKey(table.Table, table.Generation, segment.Segment, table.FullSync.TotalSegments);
                    var lease = segment.Lease ?? CheckpointLease.Free;
                    views.Add(new LeaseView(key.Id, LeaseKind.Segment, table.Table, segment.Segment.ToString(CultureInfo.InvariantCulture), lease.Owner, lease.Counter,
                        lease.ExpiresAt, segment.Status.ToString(), segment.LastEvaluatedKey, null));
                }
            }
            foreach (var shard in await checkpoints.ListShardsAsync(table.Table, cancellationToken).ConfigureAwait(false))
            {
                if (shard.Status is ShardStatus.Done or ShardStatus.Skipped) continue; // finished shards pile up over weeks; the endpoints count them instead
                var key = new ShardLeaseKey(table.Table, shard.ShardId, shard.ParentShardId);
                var lease = shard.Lease ?? CheckpointLease.Free;
                TimeSpan? lag = shard.ApproximateTime is { } t ? shard.UpdatedAt - t : null;
                views.Add(new LeaseView(key.Id, LeaseKind.Shard, table.Table, shard.ShardId, lease.Owner, lease.Counter, lease.ExpiresAt,
                    shard.Status.ToString(), shard.SequenceNumber?.ToString() ?? shard.StartSequenceNumber?.ToString(), lag));
            }
        }
        return views;
    }
}
