using Replication.Cluster;

namespace Replication.Coordinator.Management.Cluster;

/// <summary>
/// <c>GET /cluster/shards</c>: every lease (coordinator, Scan segment, stream shard; a MongoDB source's ranges and change
/// streams) with its holder and progress, how many live leases each node holds (an expired lease counts as free: its
/// holder may be gone), and per member the Cluster Sharding shards and entities (work units) its shard region hosts, each
/// with its unit's lease.
/// </summary>
public sealed record ClusterShardsResponse(IReadOnlyList<LeaseEntry> Leases, IReadOnlyList<OwnerLeaseCount> Owners, int Free, IReadOnlyList<ShardingNodeEntry> Sharding)
{
    public static ClusterShardsResponse From(IReadOnlyList<LeaseView> leases, IReadOnlyList<ShardRegionView> regions, DateTimeOffset now)
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
        var byId = entries.ToDictionary(e => e.LeaseId, StringComparer.Ordinal);
        var sharding = regions.Select(r => new ShardingNodeEntry(r.Node,
            r.Shards.Sum(s => s.Entities.Count),
            [.. r.Shards.Select(s => new ShardingShardEntry(s.ShardId, [.. s.Entities.Select(id => Entity(id, byId.GetValueOrDefault(id)))]))],
            r.Error)).ToList();
        return new ClusterShardsResponse(entries, owners, entries.Count - held.Count, sharding);
    }

    /// <summary>An entity with its unit's lease; a unit no longer listed (finished) shows no lease.</summary>
    private static ShardedEntityEntry Entity(string id, LeaseEntry? lease) =>
        new(id, lease?.Kind, lease?.Table, lease?.Unit, lease?.Owner, lease?.Counter, lease?.Expired, lease?.Status);

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

/// <summary>One member's shard region: how many entities it hosts, its shards, or why it did not answer.</summary>
public sealed record ShardingNodeEntry(string Node, int Entities, IReadOnlyList<ShardingShardEntry> Shards, string? Error);

public sealed record ShardingShardEntry(string ShardId, IReadOnlyList<ShardedEntityEntry> Entities);

/// <summary>A sharded entity (its id is the unit's lease id) and its unit's lease as the checkpoints have it.</summary>
public sealed record ShardedEntityEntry(
    string EntityId,
    string? Kind,
    string? Table,
    string? Unit,
    string? LeaseOwner,
    long? LeaseCounter,
    bool? LeaseExpired,
    string? Status);
