using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.MongoSource;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

/// <summary>
/// A MongoDB source's <c>_id</c> ranges as leased units, through MongoDB.Driver and the in-memory server: listed once
/// the coordinator made them leasable and until done, taken by one node at a time, and their checkpoint writes refused
/// once the lease is another node's.
/// </summary>
public class MongoRangeLeaseTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private MongoSyncCheckpoints Checkpoints => new(Client.GetDatabase("repl_checkpoint"));

    private LeaseTable NodeTable() => new(Client.GetDatabase("repl_checkpoint"), _clock);

    private async Task<IReadOnlyList<RangeCheckpoint>> PlanAsync(int ranges)
    {
        var planned = Enumerable.Range(0, ranges).Select(i => new RangeCheckpoint(MongoSyncCheckpoints.RangeId(1, "shop.orders", i), "shop.orders", "shop.orders", 1, i,
            i == 0 ? BsonMinKey.Value : (BsonValue)(i * 100), i == ranges - 1 ? BsonMaxKey.Value : (BsonValue)((i + 1) * 100), null, 0, false)).ToList();
        await Checkpoints.SavePlanAsync(new CollectionCheckpoint("shop.orders", "shop.orders", 1, ranges * 100, ranges, false, false), planned, default);
        return planned;
    }

    [Fact]
    public async Task Ranges_are_listed_once_leasable_and_until_done()
    {
        var ranges = await PlanAsync(3);
        var leases = NodeTable();
        Assert.Empty(await leases.ListMongoUnitsAsync()); // planned, not yet handed to the cluster

        await Checkpoints.MakeRangesLeasableAsync(1, "shop.orders", default);
        var units = await leases.ListMongoUnitsAsync();
        Assert.Equal(ranges.Select(r => new MongoRangeLeaseKey(r.Id, "shop.orders", 1)), units.Select(u => u.Key).OrderBy(k => k.Id, StringComparer.Ordinal));
        Assert.All(units, u => Assert.Equal(CheckpointLease.Free, u.Lease));

        await Checkpoints.MarkRangeDoneAsync(ranges[1], lease: null, default);
        Assert.Equal(2, (await leases.ListMongoUnitsAsync()).Count);
    }

    [Fact]
    public async Task A_range_is_taken_by_one_node_and_its_checkpoint_moves_only_under_the_current_lease()
    {
        var range = (await PlanAsync(1))[0];
        await Checkpoints.MakeRangesLeasableAsync(1, "shop.orders", default);
        var a = NodeTable();
        var b = NodeTable();
        var unit = Assert.Single(await a.ListMongoUnitsAsync());
        var seenByB = Assert.Single(await b.ListMongoUnitsAsync());

        var fenceA = await a.TryAcquireAsync(unit, "node-a", Duration, steal: false);
        Assert.NotNull(fenceA);
        Assert.Null(await b.TryAcquireAsync(seenByB, "node-b", Duration, steal: false)); // a won the race
        await Checkpoints.SaveRangeProgressAsync(range, 10, 10, fenceA, default);

        // b takes the range over (a stopped renewing): a's position writes are refused from then on.
        Assert.Single(await b.ListMongoUnitsAsync());
        _clock.Advance(Duration);
        var expired = Assert.Single(await b.ListMongoUnitsAsync());
        Assert.True(expired.Expired);
        var fenceB = await b.TryAcquireAsync(expired, "node-b", Duration, steal: false);
        Assert.NotNull(fenceB);
        Assert.True(fenceB.Counter > fenceA.Counter);
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Checkpoints.SaveRangeProgressAsync(range, 20, 10, fenceA, default));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Checkpoints.MarkRangeDoneAsync(range, fenceA, default));
        var kept = await Checkpoints.LoadRangeAsync(range.Id, default);
        Assert.Equal(new BsonInt32(10), kept.LastId);
        Assert.False(kept.Done);

        await Checkpoints.SaveRangeProgressAsync(range, 20, 10, fenceB, default);
        await Checkpoints.MarkRangeDoneAsync(range, fenceB, default);
        var done = await Checkpoints.LoadRangeAsync(range.Id, default);
        Assert.True(done.Done);
        Assert.Equal(20, done.Copied);
        Assert.Empty(await b.ListMongoUnitsAsync());
    }
}
