using System.Collections.Immutable;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.MongoSource;

namespace Replication.Tests.Cluster;

/// <summary>
/// Sharding's allocation strategy for the work units, in a one-node cluster's actor system, with shard regions stood in
/// by plain actors (the strategy only counts what each region holds): shards weigh as many units as the listing puts in them.
/// </summary>
public sealed class UnitBalancingStrategyTests : IAsyncLifetime
{
    private const int Shards = 50;
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = NodeActorSystem.Create(ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config, NullLoggerFactory.Instance, clusterEnabled: false);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    [Fact]
    public void The_shard_id_of_a_unit_is_the_same_in_every_process_and_within_the_configured_number()
    {
        // FNV-1a of the UTF-8 id: fixed values, so every node (and every restart) routes a unit to the same shard.
        Assert.Equal(UnitMessageExtractor.ShardOf("segment/Orders/0/3", Shards), UnitMessageExtractor.ShardOf("segment/Orders/0/3", Shards));
        Assert.Equal("32", new UnitMessageExtractor(Shards).ShardId(new StartUnit("shard/Orders/shardId-abc")));
        Assert.All(Enumerable.Range(0, 500), n => Assert.InRange(UnitMessageExtractor.ShardOf($"shard/T/{n}", Shards), 0, Shards - 1));
        Assert.All(Enumerable.Range(0, 500), n => Assert.InRange(UnitMessageExtractor.ShardOf($"shard/T/x{n}y", Shards), 0, Shards - 1));
        Assert.InRange(UnitMessageExtractor.ShardOf("segment/T/1/4294967295", Shards), 0, Shards - 1);
        Assert.InRange(UnitMessageExtractor.ShardOf("12345", Shards), 0, Shards - 1);
    }

    [Fact]
    public void The_segments_of_a_table_and_the_ranges_of_a_collection_never_share_a_shard()
    {
        // Sharding moves whole shards: units sharing one could only ever run on the same member.
        Assert.Equal(16, Enumerable.Range(0, 16).Select(n => UnitMessageExtractor.ShardOf(new SegmentLeaseKey("Orders", 1, n, 16).Id, Shards)).Distinct().Count());
        Assert.Equal(Shards, Enumerable.Range(0, Shards)
            .Select(n => UnitMessageExtractor.ShardOf(new MongoRangeLeaseKey(MongoSyncCheckpoints.RangeId(1, "shop.orders", n), "shop.orders", 1).Id, Shards))
            .Distinct().Count());
    }

    [Fact]
    public async Task A_new_shard_goes_to_the_region_carrying_the_fewest_units()
    {
        var units = Units(6);
        var strategy = new UnitBalancingStrategy(_system, Listed(units), Shards);
        var shards = units.Select(ShardOf).Distinct().ToArray();
        var (a, b) = (Region("a"), Region("b"));
        // a holds one shard with units, b holds more shards but none with a unit listed (finished ones).
        var allocations = Allocations((a, [shards[0]]), (b, ["nobody-1", "nobody-2"]));

        Assert.Equal(b, await strategy.AllocateShard(a, shards[1], allocations));
    }

    [Fact]
    public async Task A_rebalance_evens_the_units_out_over_the_regions_and_then_moves_nothing()
    {
        var units = Units(12);
        var strategy = new UnitBalancingStrategy(_system, Listed(units), Shards);
        var weights = units.GroupBy(ShardOf).ToDictionary(g => g.Key, g => g.Count());
        var (a, b, c) = (Region("a"), Region("b"), Region("c"));
        var allocations = Allocations((a, [.. weights.Keys]), (b, []), (c, []));

        // Rounds as the coordinator runs them: take the moving shards away, then allocate each again; until nothing moves.
        var current = allocations;
        var rounds = 0;
        while (await strategy.Rebalance(current, ImmutableHashSet<string>.Empty) is { Count: > 0 } moving)
        {
            Assert.True(++rounds <= 3, "the rebalance did not settle within three rounds");
            // While a round is still being handed off, no other starts.
            Assert.Empty(await strategy.Rebalance(current, ImmutableHashSet.Create(moving.First())));
            var after = current.ToDictionary(r => r.Key, r => r.Value.Where(s => !moving.Contains(s)).ToList());
            foreach (var shard in moving.Order(StringComparer.Ordinal))
            {
                var region = await strategy.AllocateShard(a, shard, after.ToImmutableDictionary(r => r.Key, r => (IImmutableList<string>)r.Value.ToImmutableList()));
                after[region].Add(shard);
            }
            current = after.ToImmutableDictionary(r => r.Key, r => (IImmutableList<string>)r.Value.ToImmutableList());
        }
        Assert.True(rounds >= 1, "nothing moved off the region holding every unit");
        var load = current.Values.Select(s => s.Sum(shard => weights.GetValueOrDefault(shard))).ToArray();
        Assert.Equal(12, load.Sum());
        // A table's segments each have a shard of their own, so they spread exactly: four per region.
        Assert.True(load.All(l => l == 4), $"units per region after the rebalance: {string.Join(", ", load)}");
    }

    private static LeasedUnit[] Units(int count) =>
        [.. Enumerable.Range(0, count).Select(n => new LeasedUnit(new SegmentLeaseKey("Orders", 1, n, count), CheckpointLease.Free))];

    private static string ShardOf(LeasedUnit unit) => UnitMessageExtractor.ShardOf(unit.Key.Id, Shards).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static UnitListings Listed(IEnumerable<LeasedUnit> units)
    {
        var listings = new UnitListings();
        listings.Publish(new UnitListing(0, units.ToDictionary(u => u.Key.Id, StringComparer.Ordinal)));
        return listings;
    }

    private IActorRef Region(string name) => _system.ActorOf(Props.Empty, name);

    private static IImmutableDictionary<IActorRef, IImmutableList<string>> Allocations(params (IActorRef Region, string[] Shards)[] regions) =>
        regions.ToImmutableDictionary(r => r.Region, r => (IImmutableList<string>)r.Shards.ToImmutableList());
}
