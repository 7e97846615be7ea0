namespace Replication.Cluster;

/// <summary>
/// One member of the Akka cluster as this node's <c>Cluster.State</c> shows it: its address, the uid of its incarnation,
/// Akka's member status (Joining, Up, Leaving, Exiting, Down…), its roles, and the members that observe it unreachable
/// (none when it is reachable).
/// </summary>
public sealed record ClusterMember(string Node, long Uid, string Status, IReadOnlyList<string> Roles, IReadOnlyList<string> UnreachableFrom)
{
    public bool Reachable => UnreachableFrom.Count == 0;
}

/// <summary>
/// The cluster seen from one node: its members, Akka's leader, and the oldest member (where the coordinator singleton
/// runs), overall and per role.
/// </summary>
public sealed record ClusterSnapshot(
    string SelfNode,
    IReadOnlyList<ClusterMember> Members,
    string? Leader,
    string? Oldest,
    IReadOnlyDictionary<string, string> OldestPerRole);

public enum LeaseKind
{
    Coordinator,
    Segment,
    Shard,
}

/// <summary>
/// One unit of work's lease as the endpoints show it. <see cref="Unit"/> is the segment number or the shard id;
/// <see cref="Status"/> is the unit's checkpoint status (segment Pending/Running/Done, shard NotStarted…Done);
/// <see cref="Position"/> is the segment's LastEvaluatedKey or the shard's last applied sequence number;
/// <see cref="Lag"/> is how far behind the source the last applied record was when it was applied.
/// </summary>
public sealed record LeaseView(
    string LeaseId,
    LeaseKind Kind,
    string Table,
    string Unit,
    string? Owner,
    long Counter,
    DateTimeOffset? ExpiresAt,
    string Status,
    string? Position,
    TimeSpan? Lag);

/// <summary>
/// One member's shard region of the work units, as it answered <c>GetShardRegionState</c>: the Cluster Sharding shards
/// it hosts and their entities (unit ids, the same as <see cref="LeaseView.LeaseId"/>). <see cref="Error"/> says why a
/// member did not answer (unreachable, still starting); its shards are then unknown.
/// </summary>
public sealed record ShardRegionView(string Node, IReadOnlyList<HostedShard> Shards, string? Error);

public sealed record HostedShard(string ShardId, IReadOnlyList<string> Entities);

/// <summary>What the management endpoints read about the cluster: Akka's membership and sharding, and the leases in the checkpoint database.</summary>
public interface IClusterView
{
    string SelfNodeId { get; }

    Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken);

    /// <summary>Every member's shard region of the work units; empty when the work is not sharded (cluster.enabled off).</summary>
    Task<IReadOnlyList<ShardRegionView>> ShardRegionsAsync(CancellationToken cancellationToken);
}
