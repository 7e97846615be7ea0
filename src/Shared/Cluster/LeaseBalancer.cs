using Replication.Checkpoints;

namespace Replication.Cluster;

/// <summary>A lease this node should try to take now; <see cref="Steal"/> when it is taken from a live owner.</summary>
public sealed record LeaseClaim(LeasedUnit Unit, bool Steal);

/// <summary>
/// Decides, from one node's point of view, which leases to take in this round (the Kinesis Client Library's rule):
/// each live node aims at ceil(units / live nodes); it takes free or expired leases first, and only when none is left
/// steals a single lease from the busiest node, and only if that node holds at least two more than this one — so the
/// cluster converges to an even spread without leases bouncing back and forth.
/// </summary>
public static class LeaseBalancer
{
    public static IReadOnlyList<LeaseClaim> Plan(string self, IReadOnlyList<LeasedUnit> units, IReadOnlyCollection<string> liveNodes)
    {
        if (units.Count == 0) return [];
        var live = new HashSet<string>(liveNodes, StringComparer.Ordinal) { self };
        var target = (units.Count + live.Count - 1) / live.Count;
        var held = units.Where(u => u.IsHeld && u.Lease.Owner is { } o && live.Contains(o))
            .GroupBy(u => u.Lease.Owner!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var mine = held.GetValueOrDefault(self)?.Count ?? 0;
        if (mine >= target) return [];

        // Free: never taken, handed back, expired, or held by a node that is no longer live (its lease runs out soon;
        // taking it before that is refused by the store, so it is only tried once the lease has expired).
        var free = units.Where(u => !u.IsHeld)
            .OrderBy(u => u.Key.Kind == LeaseKind.Shard ? 0 : 1) // a stream shard falling behind costs more than a slower copy
            .ThenBy(u => u.Key.Id, StringComparer.Ordinal)
            .Take(target - mine)
            .Select(u => new LeaseClaim(u, Steal: false))
            .ToList();
        if (free.Count > 0) return free;

        var busiest = held.Where(h => h.Key != self).OrderByDescending(h => h.Value.Count).ThenBy(h => h.Key, StringComparer.Ordinal).FirstOrDefault();
        if (busiest.Value is null || busiest.Value.Count - mine < 2) return [];
        var victim = busiest.Value.OrderBy(u => u.Key.Id, StringComparer.Ordinal).Last();
        return [new LeaseClaim(victim, Steal: true)];
    }
}
