using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

/// <summary>Leases in the checkpoint documents, through MongoDB.Driver and the in-memory server: races, expiry, steals, and fencing.</summary>
public class LeaseTableTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private CheckpointStore Store => new(Client.GetDatabase("repl_checkpoint"));
    private LeaseTable Leases => new(Client.GetDatabase("repl_checkpoint"), _clock);

    private async Task<IReadOnlyList<LeasedUnit>> RunningFullSyncAsync(int segments)
    {
        await Store.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/1", "NEW_AND_OLD_IMAGES"));
        await Store.BeginFullSyncAsync("Orders", 0, segments);
        return await Leases.ListAsync();
    }

    private async Task<LeasedUnit> LeasableShardAsync(string shardId = "shardId-1")
    {
        await Store.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/1", "NEW_AND_OLD_IMAGES"));
        await Store.RegisterShardAsync("Orders", "arn:stream/1", shardId, null, ShardStatus.NotStarted);
        await Store.MarkShardsLeasableAsync("Orders", [shardId]);
        return Assert.Single(await Leases.ListAsync(), u => u.Key is ShardLeaseKey);
    }

    [Fact]
    public async Task Segments_of_a_running_full_sync_are_listed_until_done_and_shards_only_once_leasable()
    {
        var units = await RunningFullSyncAsync(3);
        Assert.Equal(["segment/Orders/0/0", "segment/Orders/0/1", "segment/Orders/0/2"], units.Select(u => u.Key.Id).Order());
        Assert.All(units, u => Assert.Equal(CheckpointLease.Free, u.Lease));

        await Store.SaveSegmentPageAsync("Orders", 0, 1, null, 5);
        await Store.RegisterShardAsync("Orders", "arn:stream/1", "shardId-1", null, ShardStatus.NotStarted);
        Assert.Equal(2, (await Leases.ListAsync()).Count); // segment 1 is done; the shard is not leasable yet

        await Store.MarkShardsLeasableAsync("Orders", ["shardId-1"]);
        var shard = Assert.Single(await Leases.ListAsync(), u => u.Key is ShardLeaseKey);
        Assert.Equal(new ShardLeaseKey("Orders", "shardId-1", null), shard.Key);
    }

    [Fact]
    public async Task Of_two_nodes_racing_for_one_lease_exactly_one_wins()
    {
        var unit = (await RunningFullSyncAsync(1))[0];
        var results = await Task.WhenAll(
            Leases.TryAcquireAsync(unit, "a", Duration, steal: false),
            Leases.TryAcquireAsync(unit, "b", Duration, steal: false));
        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(1, winner.Counter);

        var listed = Assert.Single(await Leases.ListAsync());
        Assert.Equal(winner.Owner, listed.Lease.Owner);
        Assert.Equal(_clock.Now + Duration, listed.Lease.ExpiresAt);
    }

    [Fact]
    public async Task A_held_lease_is_renewed_by_its_owner_only_and_taken_by_another_node_only_after_it_expires()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        var seenByB = Assert.Single(await Leases.ListAsync());
        Assert.Null(await Leases.TryAcquireAsync(seenByB, "b", Duration, steal: false));

        _clock.Now += TimeSpan.FromSeconds(8);
        Assert.True(await Leases.RenewAsync(unit.Key, a, Duration));
        Assert.False(await Leases.RenewAsync(unit.Key, a with { Owner = "b" }, Duration));

        _clock.Now += TimeSpan.FromSeconds(9); // 17 s: still within the renewed lease
        Assert.Null(await Leases.TryAcquireAsync(Assert.Single(await Leases.ListAsync()), "b", Duration, steal: false));

        _clock.Now += TimeSpan.FromSeconds(2); // 19 s: expired
        var b = await Leases.TryAcquireAsync(Assert.Single(await Leases.ListAsync()), "b", Duration, steal: false);
        Assert.Equal(new CheckpointFence("b", 2), b);
        Assert.False(await Leases.RenewAsync(unit.Key, a, Duration)); // the old owner learns it lost the lease
    }

    [Fact]
    public async Task A_steal_takes_a_live_lease_but_only_as_it_was_observed()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        var observed = Assert.Single(await Leases.ListAsync());
        var b = await Leases.TryAcquireAsync(observed, "b", Duration, steal: true);
        Assert.Equal(new CheckpointFence("b", 2), b);
        // A third node acting on the same stale observation loses: the counter moved.
        Assert.Null(await Leases.TryAcquireAsync(observed, "c", Duration, steal: true));
        Assert.False(await Leases.RenewAsync(unit.Key, a, Duration));
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_the_next_owner_gets_a_higher_counter()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        Assert.True(await Leases.ReleaseAsync(unit.Key, a));
        var free = Assert.Single(await Leases.ListAsync());
        Assert.Null(free.Lease.Owner);
        var b = await Leases.TryAcquireAsync(free, "b", Duration, steal: false);
        Assert.Equal(new CheckpointFence("b", 2), b);
    }

    [Fact]
    public async Task A_stale_owner_cannot_move_a_shard_checkpoint()
    {
        var unit = await LeasableShardAsync();
        var store = Store;
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        await store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("100"), null, 1, a);

        // Node a pauses (a long GC, a frozen VM) past its lease; node b takes the shard over and moves on.
        _clock.Now += Duration + TimeSpan.FromSeconds(1);
        var b = (await Leases.TryAcquireAsync(Assert.Single(await Leases.ListAsync()), "b", Duration, steal: false))!;
        await store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("200"), null, 1, b);

        // a wakes up and tries to save what it applied before the pause, and then to close the shard: both refused.
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("300"), null, 1, a));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.FinishShardAsync("Orders", "shardId-1", ShardStatus.Done, a));

        var shard = (await store.GetShardAsync("Orders", "shardId-1"))!;
        Assert.Equal(SequenceNumber.Parse("200"), shard.SequenceNumber);
        Assert.Equal(ShardStatus.Processing, shard.Status);
        Assert.Equal(new CheckpointLease("b", 2, _clock.Now + Duration), shard.Lease);
    }

    [Fact]
    public async Task A_stale_owner_cannot_move_a_segment_checkpoint()
    {
        var units = await RunningFullSyncAsync(2);
        var segment1 = units.Single(u => ((SegmentLeaseKey)u.Key).Segment == 1);
        var store = Store;
        var a = (await Leases.TryAcquireAsync(segment1, "a", Duration, steal: false))!;
        await store.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k1"}}""", 10, a);

        _clock.Now += Duration + TimeSpan.FromSeconds(1);
        var b = (await Leases.TryAcquireAsync((await Leases.ListAsync()).Single(u => u.Key == segment1.Key), "b", Duration, steal: false))!;
        await store.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k2"}}""", 10, b);

        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k9"}}""", 10, a));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveSegmentPageAsync("Orders", 0, 1, null, 10, a)); // nor finish it

        var table = (await store.GetTableAsync("Orders"))!;
        Assert.Equal("""{"id":{"S":"k2"}}""", table.FullSync.Segments[1].LastEvaluatedKey);
        Assert.Equal(SegmentStatus.Running, table.FullSync.Segments[1].Status);
        Assert.Equal(20, table.FullSync.ItemsWritten);
        // Segment 0's lease is untouched by all this.
        Assert.Equal(CheckpointLease.Free, table.FullSync.Segments[0].Lease);
    }

    [Fact]
    public async Task A_re_sync_voids_every_segment_lease_of_the_old_generation()
    {
        var unit = (await RunningFullSyncAsync(1))[0];
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        await Store.StartNewGenerationAsync("Orders");
        Assert.False(await Leases.RenewAsync(unit.Key, a, Duration));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Store.SaveSegmentPageAsync("Orders", 0, 0, null, 1, a));
    }

    [Fact]
    public async Task A_shard_worker_reports_a_gap_once_and_a_new_generation_starts_without_it()
    {
        await Store.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/1", "NEW_AND_OLD_IMAGES"));
        await Store.ReportGapAsync("Orders", 0, new StreamGap("shardId-1", "trimmed"));
        await Store.ReportGapAsync("Orders", 0, new StreamGap("shardId-2", "later"));
        Assert.Equal(new StreamGap("shardId-1", "trimmed"), (await Store.GetTableAsync("Orders"))!.Gap);

        await Store.StartNewGenerationAsync("Orders");
        Assert.Null((await Store.GetTableAsync("Orders"))!.Gap);
        await Store.ReportGapAsync("Orders", 0, new StreamGap("shardId-3", "from an old worker"));
        Assert.Null((await Store.GetTableAsync("Orders"))!.Gap);
    }
}
