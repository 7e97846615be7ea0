using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Replication.Cluster;

namespace Replication.Coordinator.Management.Cluster;

/// <summary>
/// <c>GET /cluster/members</c> in Akka Management's shape, so tools written for Akka clusters read it: the leader is the
/// coordinator lease holder, the oldest is the earliest-joined Up member.
/// </summary>
public sealed record ClusterMembersResponse(
    string SelfNode,
    IReadOnlyList<ClusterMemberEntry> Members,
    IReadOnlyList<UnreachableMemberEntry> Unreachable,
    string? Leader,
    string? Oldest,
    IReadOnlyDictionary<string, string> OldestPerRole)
{
    public static ClusterMembersResponse From(ClusterSnapshot snapshot)
    {
        var members = snapshot.Members.OrderBy(m => m.NodeId, StringComparer.Ordinal).ToList();
        var up = members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m.JoinedAt).ThenBy(m => m.NodeId, StringComparer.Ordinal).ToList();
        var oldestPerRole = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in up)
        foreach (var role in member.Roles)
            oldestPerRole.TryAdd(role, member.NodeId);
        return new ClusterMembersResponse(
            snapshot.SelfNodeId,
            members.Select(m => new ClusterMemberEntry(m.NodeId, NodeUid(m), m.Status.ToString(), m.Roles)).ToList(),
            // Reachability is judged from heartbeats in the checkpoint database, by this node's reading of them.
            members.Where(m => !m.Reachable).Select(m => new UnreachableMemberEntry(m.NodeId, [snapshot.SelfNodeId])).ToList(),
            snapshot.CoordinatorNodeId,
            up.FirstOrDefault()?.NodeId,
            oldestPerRole);
    }

    /// <summary>
    /// Akka's uid tells a restarted node from its previous incarnation at the same address; node id plus join time does
    /// the same here. Milliseconds, because that is what the checkpoint database keeps.
    /// </summary>
    public static string NodeUid(ClusterMember member)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{member.NodeId}|{member.JoinedAt.ToUnixTimeMilliseconds()}"));
        return BinaryPrimitives.ReadInt64LittleEndian(hash).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed record ClusterMemberEntry(string Node, string NodeUid, string Status, IReadOnlyList<string> Roles);

public sealed record UnreachableMemberEntry(string Node, IReadOnlyList<string> ObservedBy);
