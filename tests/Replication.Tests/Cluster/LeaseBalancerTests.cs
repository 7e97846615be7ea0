using Replication.Checkpoints;
using Replication.Cluster;

namespace Replication.Tests.Cluster;

public class LeaseBalancerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <param name="expired">The planning node saw the lease unrenewed for its whole duration.</param>
    private static LeasedUnit Segment(int n, string? owner = null, bool expired = false) =>
        new(new SegmentLeaseKey("Orders", 0, n, 12), owner is null ? CheckpointLease.Free : new CheckpointLease(owner, 1, Now.AddSeconds(5))) { Expired = expired };

    private static LeasedUnit Shard(string id, string? owner = null) =>
        new(new ShardLeaseKey("Orders", id, null), owner is null ? CheckpointLease.Free : new CheckpointLease(owner, 1, Now.AddSeconds(5)));

    [Fact]
    public void Each_node_takes_its_ceiling_share_of_free_leases()
    {
        var units = Enumerable.Range(0, 10).Select(n => Segment(n)).ToArray();
        var plan = LeaseBalancer.Plan("a", units, ["a", "b", "c"]);
        Assert.Equal(4, plan.Count); // ceil(10 / 3)
        Assert.All(plan, c => Assert.False(c.Steal));
    }

    [Fact]
    public void Shards_come_before_segments_because_a_lagging_stream_costs_more()
    {
        LeasedUnit[] units = [Segment(0), Segment(1), Shard("shardId-1"), Shard("shardId-2")];
        var plan = LeaseBalancer.Plan("a", units, ["a", "b"]);
        Assert.Equal(["shard/Orders/shardId-1", "shard/Orders/shardId-2"], plan.Select(c => c.Unit.Key.Id));
    }

    [Fact]
    public void A_node_at_its_share_takes_nothing()
    {
        LeasedUnit[] units = [Segment(0, "a"), Segment(1, "a"), Segment(2), Segment(3, "b")];
        Assert.Empty(LeaseBalancer.Plan("a", units, ["a", "b"]));
    }

    [Fact]
    public void Expired_leases_and_leases_of_silent_nodes_count_as_free_only_once_expired()
    {
        LeasedUnit[] units = [Segment(0, "gone", expired: true), Segment(1, "gone"), Segment(2, "b"), Segment(3, "b")];
        var plan = LeaseBalancer.Plan("a", units, ["a", "b"]);
        // "gone" is not live: its unexpired lease is neither taken nor counted for it; its expired one is free.
        Assert.Equal("segment/Orders/0/0", Assert.Single(plan).Unit.Key.Id);
        Assert.False(plan[0].Steal);
    }

    [Fact]
    public void With_nothing_free_a_node_steals_one_lease_from_the_busiest_node()
    {
        var units = Enumerable.Range(0, 6).Select(n => Segment(n, n < 5 ? "b" : "c")).ToArray();
        var plan = LeaseBalancer.Plan("a", units, ["a", "b", "c"]);
        var claim = Assert.Single(plan);
        Assert.True(claim.Steal);
        Assert.Equal("b", claim.Unit.Lease.Owner);
    }

    [Fact]
    public void No_steal_when_the_busiest_node_holds_only_one_more_so_leases_do_not_bounce()
    {
        LeasedUnit[] units = [Segment(0, "a"), Segment(1, "b"), Segment(2, "b"), Segment(3, "c")];
        // ceil(4/3) = 2: "a" wants one more, but "b" holds just one more than "a".
        Assert.Empty(LeaseBalancer.Plan("a", units, ["a", "b", "c"]));
    }

    [Fact]
    public void Repeated_rounds_converge_to_an_even_spread()
    {
        var owners = new Dictionary<int, string>();
        for (var n = 0; n < 12; n++) owners[n] = "a"; // one node started first and took everything
        string[] nodes = ["a", "b", "c"];
        for (var round = 0; round < 20; round++)
        {
            foreach (var node in nodes)
            {
                var units = owners.Select(o => Segment(o.Key, o.Value)).ToArray();
                foreach (var claim in LeaseBalancer.Plan(node, units, nodes))
                    owners[((SegmentLeaseKey)claim.Unit.Key).Segment] = node;
            }
        }
        Assert.Equal([4, 4, 4], nodes.Select(n => owners.Values.Count(o => o == n)));
    }

    [Fact]
    public void No_units_no_claims()
    {
        Assert.Empty(LeaseBalancer.Plan("a", [], ["a"]));
    }
}
