using Replication.Cluster;

namespace Replication.Coordinator.Management.Cluster;

/// <summary>
/// <c>GET /cluster/shards</c>: every lease (coordinator, Scan segment, stream shard) with its holder and progress, and how
/// many live leases each node holds. An expired lease counts as free: its holder may be gone.
/// </summary>
public sealed record ClusterShardsResponse(IReadOnlyList<LeaseEntry> Leases, IReadOnlyList<OwnerLeaseCount> Owners, int Free)
{
    public static ClusterShardsResponse From(IReadOnlyList<LeaseView> leases, DateTimeOffset now)
    {
        var entries = leases
            .OrderBy(l => l.Kind).ThenBy(l => l.Table, StringComparer.Ordinal).ThenBy(l => l.Unit, StringComparer.Ordinal)
            .Select(l => new LeaseEntry(l.LeaseId, KindName(l.Kind), l.Table, l.Unit, l.Owner, l.Counter, l.ExpiresAt,
                Expired: l.ExpiresAt is { } expires && expires <= now, l.Status, l.Position, l.Lag?.TotalSeconds))
            .ToList();
        var held = entries.Where(e => e.Owner is not null && !e.Expired).ToList();
        var owners = held.GroupBy(e => e.Owner!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OwnerLeaseCount(g.Key, g.Count(),
                g.Count(e => e.Kind == KindName(LeaseKind.Coordinator)),
                g.Count(e => e.Kind == KindName(LeaseKind.Segment)),
                g.Count(e => e.Kind == KindName(LeaseKind.Shard))))
            .ToList();
        return new ClusterShardsResponse(entries, owners, entries.Count - held.Count);
    }

    public static string KindName(LeaseKind kind) => kind switch
    {
        LeaseKind.Coordinator => "coordinator",
        LeaseKind.Segment => "segment",
        LeaseKind.Shard => "shard",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

public sealed record LeaseEntry(
    string LeaseId,
    string Kind,
    string Table,
    string Unit,
    string? Owner,
    long Counter,
    DateTimeOffset? ExpiresAt,
    bool Expired,
    string Status,
    string? Position,
    double? LagSeconds);

public sealed record OwnerLeaseCount(string Node, int Leases, int Coordinator, int Segments, int Shards);
