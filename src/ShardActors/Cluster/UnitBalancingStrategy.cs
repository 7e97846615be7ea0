using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace Replication.ShardActors.Cluster;

/// <summary>
/// Cluster Sharding's allocation strategy for the work units: like Akka's least-shard strategy, but a shard weighs as many
/// units as this node's latest listing puts in it (units of different tables may share a shard, and a shard may hold
/// none still running). New shards go to the Up member carrying the fewest
/// units; every rebalance round moves a shard from the busiest member to the idlest only while that strictly evens them
/// out, up to half the shards at a time, so moves never bounce back and forth. Each move is a hand-off of its units.
/// </summary>
public sealed class UnitBalancingStrategy(ActorSystem system, UnitListings listings, int shards) : IShardAllocationStrategy
{
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var weights = ShardWeights();
        var regions = UpRegions(currentShardAllocations);
        var target = regions
            .OrderBy(r => r.Value.Sum(s => weights.GetValueOrDefault(s)))
            .ThenBy(r => r.Value.Count)
            .ThenBy(r => r.Key.Path.ToString(), StringComparer.Ordinal)
            .First().Key;
        return Task.FromResult(target);
    }

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        // One round at a time: the shards of the last one are still being handed off.
        if (rebalanceInProgress.Count > 0) return Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
        var weights = ShardWeights();
        var load = UpRegions(currentShardAllocations).ToDictionary(r => r.Key, r => r.Value.ToList());
        var moving = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var limit = Math.Max(1, currentShardAllocations.Values.Sum(s => s.Count) / 2);
        int Weight(IActorRef region) => load[region].Sum(s => weights.GetValueOrDefault(s));
        while (load.Count > 1 && moving.Count < limit)
        {
            var busiest = load.Keys.OrderByDescending(Weight).ThenBy(r => r.Path.ToString(), StringComparer.Ordinal).First();
            var idlest = load.Keys.OrderBy(Weight).ThenBy(r => r.Path.ToString(), StringComparer.Ordinal).First();
            var gap = Weight(busiest) - Weight(idlest);
            // Moving a shard of weight w helps only when w < gap: both ends then stay strictly inside the old range.
            var shard = load[busiest].Where(s => weights.GetValueOrDefault(s) is var w && w > 0 && w < gap)
                .OrderBy(s => Math.Abs(gap - 2 * weights[s])).ThenBy(s => s, StringComparer.Ordinal).FirstOrDefault();
            if (shard is null) break;
            load[busiest].Remove(shard);
            load[idlest].Add(shard);
            moving.Add(shard);
        }
        // Shards on members that are leaving are handed off by their region anyway.
        return Task.FromResult<IImmutableSet<string>>(moving.ToImmutable());
    }

    /// <summary>Units per shard in this node's latest listing (a shard none of whose units is listed weighs nothing).</summary>
    private Dictionary<string, int> ShardWeights()
    {
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        if (listings.Latest is not { } latest) return weights;
        foreach (var id in latest.Units.Keys)
        {
            var shard = UnitMessageExtractor.ShardOf(id, shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
            weights[shard] = weights.GetValueOrDefault(shard) + 1;
        }
        return weights;
    }

    /// <summary>The regions of Up members (all of them, should none be Up in this node's view).</summary>
    private IReadOnlyList<KeyValuePair<IActorRef, IImmutableList<string>>> UpRegions(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = cluster.State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).ToHashSet();
        var regions = allocations.Where(r => up.Contains(r.Key.Path.Address.HasLocalScope ? cluster.SelfAddress : r.Key.Path.Address)).ToList();
        return regions.Count > 0 ? regions : [.. allocations];
    }
}
