using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Replication.AkkaCluster.Lease;
using Replication.Checkpoints;
using ClusterExtension = Akka.Cluster.Cluster;

namespace Replication.Cluster;

/// <summary>
/// The cluster as this node sees it: members from Akka's <c>Cluster.State</c>; the coordinator singleton's lease (the
/// MongoDB lease Akka's ClusterSingletonManager holds, named <paramref name="coordinatorLeaseName"/>) and the segment
/// and shard leases with their units' positions from the checkpoint database (a MongoDB source's units — ranges and
/// change streams — from <paramref name="sourceUnitLeases"/>); and, when the work units are sharded (the entity type
/// <paramref name="shardedType"/>), every member's shard region as it answers for itself.
/// </summary>
public sealed class AkkaClusterView(ClusterExtension cluster, CheckpointStore checkpoints, MongoLeaseStore leases, string coordinatorLeaseName,
    string? shardedType, TimeProvider? clock = null, Func<CancellationToken, Task<IReadOnlyList<LeaseView>>>? sourceUnitLeases = null)
    : IClusterView
{
    /// <summary>How long a member's shard region may take to answer; one that does not is shown with an error, not waited for.</summary>
    private static readonly TimeSpan RegionTimeout = TimeSpan.FromSeconds(3);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string SelfNodeId => cluster.SelfAddress.ToString();

    public Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken) => Task.FromResult(Snapshot(cluster));

    public static ClusterSnapshot Snapshot(ClusterExtension cluster)
    {
        var state = cluster.State;
        var self = cluster.SelfAddress.ToString();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new ClusterMember(m.Address.ToString(), m.UniqueAddress.Uid, m.Status.ToString(), [.. m.Roles.Order(StringComparer.Ordinal)],
                // Akka.NET's public API names no observers; this node's own view is what Cluster.State reports.
                state.Unreachable.Contains(m) ? [self] : []))
            .ToArray();
        // The singleton runs on the oldest member: the one Up (or Leaving, until it hands over) the longest.
        var byAge = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).OrderBy(m => m, Member.AgeOrdering).ToArray();
        var oldestPerRole = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in byAge)
        foreach (var role in member.Roles)
            oldestPerRole.TryAdd(role, member.Address.ToString());
        return new ClusterSnapshot(self, members, state.Leader?.ToString(), byAge.FirstOrDefault()?.Address.ToString(), oldestPerRole);
    }

    /// <summary>
    /// Asks the shard region of every Up (or leaving) member — at its well-known path under <c>/system/sharding</c> — for
    /// its shards and entities, all at once: each region answers for itself, so a node shows what it really hosts.
    /// </summary>
    public async Task<IReadOnlyList<ShardRegionView>> ShardRegionsAsync(CancellationToken cancellationToken)
    {
        if (shardedType is null) return [];
        var state = cluster.State;
        var members = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToArray();
        return await Task.WhenAll(members.Select(m => RegionAsync(m, state.Unreachable.Contains(m), cancellationToken))).ConfigureAwait(false);
    }

    private async Task<ShardRegionView> RegionAsync(Member member, bool unreachable, CancellationToken cancellationToken)
    {
        var node = member.Address.ToString();
        if (unreachable) return new ShardRegionView(node, [], "unreachable");
        try
        {
            var region = cluster.System.ActorSelection(new RootActorPath(member.Address) / "system" / "sharding" / shardedType!);
            var answer = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, RegionTimeout, cancellationToken).ConfigureAwait(false);
            var shards = answer.Shards.OrderBy(s => s.ShardId, StringComparer.Ordinal)
                .Select(s => new HostedShard(s.ShardId, [.. s.EntityIds.Order(StringComparer.Ordinal)])).ToArray();
            return new ShardRegionView(node, shards, null);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ShardRegionView(node, [], $"its shard region did not answer within {RegionTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ShardRegionView(node, [], $"its shard region could not be asked: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken)
    {
        var views = new List<LeaseView> { await CoordinatorLeaseAsync(cancellationToken).ConfigureAwait(false) };
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
        if (sourceUnitLeases is not null) views.AddRange(await sourceUnitLeases(cancellationToken).ConfigureAwait(false));
        return views;
    }

    /// <summary>The singleton's lease as the database has it; the expiry is the database's, shifted onto this node's clock.</summary>
    private async Task<LeaseView> CoordinatorLeaseAsync(CancellationToken cancellationToken)
    {
        var lease = await leases.ObserveAsync(coordinatorLeaseName, cancellationToken).ConfigureAwait(false);
        var held = !lease.IsTakeable;
        DateTimeOffset? expiresAt = held && lease.RenewedAt is { } renewed ? _clock.GetUtcNow() + (renewed + lease.Timeout - lease.ObservedAt) : null;
        // Akka names a singleton's lease owner by host:port; the members list it by full address.
        var owner = held && lease.Owner is { } o ? $"{cluster.SelfAddress.Protocol}://{o}" : null;
        return new LeaseView(coordinatorLeaseName, LeaseKind.Coordinator, "", "coordinator", owner, lease.Counter, expiresAt, held ? "Held" : "Free", null, null);
    }
}
