using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.MongoSource;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

/// <summary>
/// A MongoDB source's change stream as a leased unit, through MongoDB.Driver and the in-memory server: listed once the
/// coordinator made it leasable and until its resume point is reported lost, taken by one node at a time, and its
/// position (and a lost resume point) written only under the current lease.
/// </summary>
public class ChangeStreamLeaseTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private static readonly BsonDocument StartToken = new("_data", "8200000001");
    private readonly ManualClock _clock = new();

    private MongoSyncCheckpoints Checkpoints => new(Client.GetDatabase("repl_checkpoint"));

    private LeaseTable NodeTable() => new(Client.GetDatabase("repl_checkpoint"), _clock);

    [Fact]
    public async Task A_stream_is_listed_once_leasable_and_until_its_resume_point_is_reported_lost()
    {
        await Checkpoints.SaveStartAsync("shop", 1, StartToken, default);
        await Checkpoints.SaveStartAsync("inventory", 1, StartToken, default);
        var leases = NodeTable();
        Assert.Empty(await leases.ListMongoUnitsAsync()); // recorded before the copy; the copy is not done

        await Checkpoints.MakeStreamsLeasableAsync(1, default);
        var units = await leases.ListMongoUnitsAsync();
        Assert.Equal([new ChangeStreamLeaseKey("inventory", 1), new ChangeStreamLeaseKey("shop", 1)],
            units.Select(u => u.Key).OrderBy(k => k.Id, StringComparer.Ordinal));
        Assert.Equal(["stream/inventory", "stream/shop"], units.Select(u => u.Key.Id).Order(StringComparer.Ordinal));
        Assert.All(units, u => Assert.Equal(CheckpointLease.Free, u.Lease));

        var shop = units.Single(u => u.Key.Id == "stream/shop");
        var fence = await leases.TryAcquireAsync(shop, "node-a", Duration, steal: false);
        Assert.NotNull(fence);
        Assert.Null(await Checkpoints.FindLostStreamAsync(1, default));
        await Checkpoints.ReportStreamLostAsync("shop", 1, "oplog rolled over", fence, default);
        Assert.Equal(new LostStream("shop", "oplog rolled over"), await Checkpoints.FindLostStreamAsync(1, default));
        Assert.Equal(new ChangeStreamLeaseKey("inventory", 1), Assert.Single(await leases.ListMongoUnitsAsync()).Key);
    }

    [Fact]
    public async Task A_stream_is_taken_by_one_node_and_its_position_moves_only_under_the_current_lease()
    {
        await Checkpoints.SaveStartAsync(ChangeStreams.ClusterUnit, 1, StartToken, default);
        await Checkpoints.MakeStreamsLeasableAsync(1, default);
        var a = NodeTable();
        var b = NodeTable();
        var unit = Assert.Single(await a.ListMongoUnitsAsync());
        var seenByB = Assert.Single(await b.ListMongoUnitsAsync());

        var fenceA = await a.TryAcquireAsync(unit, "node-a", Duration, steal: false);
        Assert.NotNull(fenceA);
        Assert.Null(await b.TryAcquireAsync(seenByB, "node-b", Duration, steal: false)); // a won the race
        var afterA = new BsonDocument("_data", "8200000010");
        await Checkpoints.SaveStreamPositionAsync(ChangeStreams.ClusterUnit, 1, afterA, 10, null, new Dictionary<string, int> { ["shop.orders"] = 10 }, fenceA, default);

        // b takes the stream over (a stopped renewing): a's writes are refused from then on, and b resumes where a left it.
        Assert.Single(await b.ListMongoUnitsAsync());
        _clock.Advance(Duration);
        var expired = Assert.Single(await b.ListMongoUnitsAsync());
        Assert.True(expired.Expired);
        var fenceB = await b.TryAcquireAsync(expired, "node-b", Duration, steal: false);
        Assert.NotNull(fenceB);
        Assert.True(fenceB.Counter > fenceA.Counter);
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Checkpoints.SaveStreamPositionAsync(ChangeStreams.ClusterUnit, 1,
            new BsonDocument("_data", "8200000020"), 5, null, new Dictionary<string, int> { ["shop.orders"] = 5 }, fenceA, default));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Checkpoints.ReportStreamLostAsync(ChangeStreams.ClusterUnit, 1, "late", fenceA, default));
        var kept = await Checkpoints.FindStreamAsync(ChangeStreams.ClusterUnit, 1, default);
        Assert.NotNull(kept);
        Assert.Equal(afterA, kept.ResumeToken);
        Assert.Equal(10, kept.EventsApplied);
        Assert.Null(kept.Lost);
        Assert.Equal("node-b", kept.Lease?.Owner);
        Assert.Equal(10, (await Checkpoints.LoadAppliedAsync(default))["shop.orders"]); // the refused batch was not counted

        await Checkpoints.SaveStreamPositionAsync(ChangeStreams.ClusterUnit, 1, new BsonDocument("_data", "8200000030"), 7, null, null, fenceB, default);
        var moved = await Checkpoints.FindStreamAsync(ChangeStreams.ClusterUnit, 1, default);
        Assert.Equal(new BsonDocument("_data", "8200000030"), moved!.ResumeToken);
        Assert.Equal(17, moved.EventsApplied);
    }

    [Fact]
    public async Task A_stream_of_an_earlier_generation_cannot_be_taken_or_moved_after_a_resync_recorded_a_new_start()
    {
        await Checkpoints.SaveStartAsync(ChangeStreams.ClusterUnit, 1, StartToken, default);
        await Checkpoints.MakeStreamsLeasableAsync(1, default);
        var leases = NodeTable();
        var old = Assert.Single(await leases.ListMongoUnitsAsync());
        var fence = await leases.TryAcquireAsync(old, "node-a", Duration, steal: false);
        Assert.NotNull(fence);

        await Checkpoints.ForgetAsync(default);
        await Checkpoints.SaveStartAsync(ChangeStreams.ClusterUnit, 2, new BsonDocument("_data", "8200000099"), default);
        Assert.Empty(await leases.ListMongoUnitsAsync()); // generation 2's copy is not done yet
        Assert.False(await leases.RenewAsync(old.Key, fence, Duration));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Checkpoints.SaveStreamPositionAsync(ChangeStreams.ClusterUnit, 1,
            new BsonDocument("_data", "8200000010"), 1, null, null, fence, default));
        Assert.Null(await leases.TryAcquireAsync(old, "node-b", Duration, steal: true));
    }
}
