namespace Replication.Cluster;

/// <summary>A member's status, named as Akka names them so /cluster/members reads like Akka Management's.</summary>
public enum MemberStatus
{
    Joining,
    Up,
    Leaving,
    Exiting,
    Down,
}

/// <summary>
/// One node of the cluster as its heartbeats describe it. <see cref="Reachable"/> is false when its last heartbeat is
/// older than <c>cluster.node-timeout</c>; such a node holds no lease for balancing purposes.
/// </summary>
public sealed record ClusterMember(
    string NodeId,
    string ManagementAddress,
    MemberStatus Status,
    bool Reachable,
    DateTimeOffset JoinedAt,
    DateTimeOffset LastHeartbeat,
    IReadOnlyList<string> Roles);

/// <summary>The cluster seen from one node: its members, and who holds the coordinator lease (Akka's "leader").</summary>
public sealed record ClusterSnapshot(string SelfNodeId, IReadOnlyList<ClusterMember> Members, string? CoordinatorNodeId);

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

/// <summary>What the management endpoints read about the cluster; backed by the checkpoint database.</summary>
public interface IClusterView
{
    string SelfNodeId { get; }

    Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken);
}
