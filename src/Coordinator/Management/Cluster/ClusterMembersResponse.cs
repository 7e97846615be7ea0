using System.Globalization;
using Replication.Cluster;

namespace Replication.Coordinator.Management.Cluster;

/// <summary>
/// <c>GET /cluster/members</c> in Akka Management's shape, from this node's <c>Cluster.State</c>: Akka's leader, the
/// oldest member (where the coordinator singleton runs), each member's address, uid, status and roles, and the
/// unreachable ones with who observes them.
/// </summary>
public sealed record ClusterMembersResponse(
    string SelfNode,
    IReadOnlyList<ClusterMemberEntry> Members,
    IReadOnlyList<UnreachableMemberEntry> Unreachable,
    string? Leader,
    string? Oldest,
    IReadOnlyDictionary<string, string> OldestPerRole)
{
    public static ClusterMembersResponse From(ClusterSnapshot snapshot) => new(
        snapshot.SelfNode,
        snapshot.Members.Select(m => new ClusterMemberEntry(m.Node, m.Uid.ToString(CultureInfo.InvariantCulture), m.Status, m.Roles)).ToList(),
        snapshot.Members.Where(m => !m.Reachable).Select(m => new UnreachableMemberEntry(m.Node, m.UnreachableFrom)).ToList(),
        snapshot.Leader,
        snapshot.Oldest,
        snapshot.OldestPerRole);
}

public sealed record ClusterMemberEntry(string Node, string NodeUid, string Status, IReadOnlyList<string> Roles);

public sealed record UnreachableMemberEntry(string Node, IReadOnlyList<string> ObservedBy);
