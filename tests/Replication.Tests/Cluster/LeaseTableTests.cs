using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

/// <summary>
/// Leases in the checkpoint documents, through MongoDB.Driver and the in-memory server: races, expiry judged by each
/// node on its own clock, steals, fencing, and counters that never start again. Each node has its own LeaseTable (it
/// remembers what it saw, and since when); they share one manual clock unless a test says otherwise.
/// </summary>
public class LeaseTableTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();
    private LeaseTable? _a;
    private LeaseTable? _b;

    private CheckpointStore Store => new(Client.GetDatabase("repl_checkpoint"));

    /// <summary>Node a's view of the leases (any node's, where the test does not care which).</summary>
    private LeaseTable Leases => _a ??= NodeTable(_clock);

    private LeaseTable NodeB => _b ??= NodeTable(_clock);

    private LeaseTable NodeTable(TimeProvider clock) => new(Client.GetDatabase("repl_checkpoint"), clock);

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

        var listed = Assert.Single(await Leases.ListAsync());
        Assert.Equal((winner.Owner, winner.Counter, 0L, Duration), (listed.Lease.Owner, listed.Lease.Counter, listed.Lease.Renewal, listed.Lease.Duration));
        Assert.Equal(_clock.Now + Duration, listed.Lease.ExpiresAt); // the holder's estimate, for people
    }

    [Fact]
    public async Task A_held_lease_is_renewed_by_its_owner_only_and_taken_by_another_node_only_after_it_saw_no_renewal_for_a_whole_duration()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        var seenByB = Assert.Single(await NodeB.ListAsync());
        Assert.True(seenByB.IsHeld);
        Assert.Null(await NodeB.TryAcquireAsync(seenByB, "b", Duration, steal: false));

        _clock.Now += TimeSpan.FromSeconds(8);
        Assert.True(await Leases.RenewAsync(unit.Key, a, Duration));
        Assert.False(await Leases.RenewAsync(unit.Key, a with { Owner = "b" }, Duration));
        Assert.True(Assert.Single(await NodeB.ListAsync()).IsHeld); // b sees the renewal stamp move: its wait starts again

        _clock.Now += TimeSpan.FromSeconds(9); // 9 s since b saw the renewal
        Assert.Null(await NodeB.TryAcquireAsync(Assert.Single(await NodeB.ListAsync()), "b", Duration, steal: false));

        _clock.Now += TimeSpan.FromSeconds(1); // a whole duration without a renewal, by b's own clock
        var expired = Assert.Single(await NodeB.ListAsync());
        Assert.True(expired.Expired);
        var b = await NodeB.TryAcquireAsync(expired, "b", Duration, steal: false);
        Assert.Equal("b", b?.Owner);
        Assert.True(b!.Counter > a.Counter);
        Assert.False(await Leases.RenewAsync(unit.Key, a, Duration)); // the old owner learns it lost the lease
    }

    [Fact]
    public async Task Expiry_does_not_depend_on_node_clocks_agreeing()
    {
        var unit = await LeasableShardAsync();
        // a's wall clock is an hour behind b's: the expiry time it writes is long past by b's clock.
        var behind = new ManualClock(_clock.Now - TimeSpan.FromHours(1));
        var a = (await NodeTable(behind).TryAcquireAsync(unit, "a", Duration, steal: false))!;
        var first = Assert.Single(await NodeB.ListAsync());
        Assert.True(first.Lease.ExpiresAt < _clock.Now);
        Assert.True(first.IsHeld);
        Assert.Null(await NodeB.TryAcquireAsync(first, "b", Duration, steal: false));

        // a keeps renewing: however long this goes on, b never sees the lease unchanged for a whole duration.
        for (var i = 0; i < 5; i++)
        {
            _clock.Now += TimeSpan.FromSeconds(6);
            Assert.True(await NodeTable(behind).RenewAsync(unit.Key, a, Duration));
            var seen = Assert.Single(await NodeB.ListAsync());
            Assert.True(seen.IsHeld);
            Assert.Null(await NodeB.TryAcquireAsync(seen, "b", Duration, steal: false));
        }

        // A node that starts now has not watched the lease yet, so it waits a whole duration too, even for a silent holder.
        var c = NodeTable(_clock);
        Assert.True(Assert.Single(await c.ListAsync()).IsHeld);
        _clock.Now += Duration;
        Assert.True(Assert.Single(await c.ListAsync()).Expired);
    }

    [Fact]
    public async Task A_renewal_between_listing_and_taking_makes_the_take_fail()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        await NodeB.ListAsync();
        _clock.Now += Duration;
        var expired = Assert.Single(await NodeB.ListAsync());
        Assert.True(expired.Expired);

        Assert.True(await Leases.RenewAsync(unit.Key, a, Duration)); // a was only slow: it renews just before b takes
        Assert.Null(await NodeB.TryAcquireAsync(expired, "b", Duration, steal: false));
        Assert.True(await Leases.RenewAsync(unit.Key, a, Duration));
    }

    [Fact]
    public async Task A_steal_takes_a_live_lease_but_only_as_it_was_observed()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        var observed = Assert.Single(await NodeB.ListAsync());
        var b = await NodeB.TryAcquireAsync(observed, "b", Duration, steal: true);
        Assert.Equal(new CheckpointFence("b", 2), b);
        // A third node acting on the same stale observation loses: the counter moved.
        Assert.Null(await NodeTable(_clock).TryAcquireAsync(observed, "c", Duration, steal: true));
        Assert.False(await Leases.RenewAsync(unit.Key, a, Duration));
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_the_next_owner_gets_a_higher_counter()
    {
        var unit = await LeasableShardAsync();
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        Assert.True(await Leases.ReleaseAsync(unit.Key, a));
        var free = Assert.Single(await NodeB.ListAsync());
        Assert.Null(free.Lease.Owner);
        var b = await NodeB.TryAcquireAsync(free, "b", Duration, steal: false);
        Assert.Equal(new CheckpointFence("b", 2), b);
    }

    [Fact]
    public async Task A_stale_owner_cannot_move_a_shard_checkpoint()
    {
        var unit = await LeasableShardAsync();
        var store = Store;
        var a = (await Leases.TryAcquireAsync(unit, "a", Duration, steal: false))!;
        await store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("100"), null, 1, a);

        // Node a pauses (a long GC, a frozen VM) past its lease; node b, watching, takes the shard over and moves on.
        await NodeB.ListAsync();
        _clock.Now += Duration + TimeSpan.FromSeconds(1);
        var b = (await NodeB.TryAcquireAsync(Assert.Single(await NodeB.ListAsync()), "b", Duration, steal: false))!;
        await store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("200"), null, 1, b);

        // a wakes up and tries to save what it applied before the pause, and then to close the shard: both refused.
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("300"), null, 1, a));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.FinishShardAsync("Orders", "shardId-1", ShardStatus.Done, a));

        var shard = (await store.GetShardAsync("Orders", "shardId-1"))!;
        Assert.Equal(SequenceNumber.Parse("200"), shard.SequenceNumber);
        Assert.Equal(ShardStatus.Processing, shard.Status);
        Assert.Equal(new CheckpointLease("b", 2, _clock.Now + Duration) { Duration = Duration }, shard.Lease);
    }

    [Fact]
    public async Task A_stale_owner_cannot_move_a_segment_checkpoint()
    {
        var units = await RunningFullSyncAsync(2);
        var segment1 = units.Single(u => ((SegmentLeaseKey)u.Key).Segment == 1);
        var store = Store;
        var a = (await Leases.TryAcquireAsync(segment1, "a", Duration, steal: false))!;
        await store.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k1"}}""", 10, a);

        await NodeB.ListAsync();
        _clock.Now += Duration + TimeSpan.FromSeconds(1);
        var b = (await NodeB.TryAcquireAsync((await NodeB.ListAsync()).Single(u => u.Key == segment1.Key), "b", Duration, steal: false))!;
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
    public async Task Lease_counters_never_start_again_not_even_across_a_re_sync()
    {
        // Generation 0: a segment and a shard, each taken and handed over a few times.
        var segment = (await RunningFullSyncAsync(1))[0];
        var oldSegment = (await Leases.TryAcquireAsync(segment, "a", Duration, steal: false))!;
        await Store.RegisterShardAsync("Orders", "arn:stream/1", "shardId-1", null, ShardStatus.NotStarted);
        await Store.MarkShardsLeasableAsync("Orders", ["shardId-1"]);
        CheckpointFence? oldShard = null;
        foreach (var owner in new[] { "a", "b", "a" })
        {
            var shard = (await Leases.ListAsync()).Single(u => u.Key is ShardLeaseKey);
            if (oldShard is not null) Assert.True(await Leases.ReleaseAsync(shard.Key, oldShard));
            oldShard = await Leases.TryAcquireAsync((await Leases.ListAsync()).Single(u => u.Key is ShardLeaseKey), owner, Duration, steal: false);
        }
        var highest = Math.Max(oldSegment.Counter, oldShard!.Counter);

        // The re-sync forgets the shard checkpoints and begins new segments, whose leases start free at zero.
        var generation = await Store.StartNewGenerationAsync("Orders");
        await Store.BeginFullSyncAsync("Orders", generation, 1);
        await Store.RegisterShardAsync("Orders", "arn:stream/1", "shardId-1", null, ShardStatus.NotStarted);
        await Store.MarkShardsLeasableAsync("Orders", ["shardId-1"]);
        var units = await Leases.ListAsync();
        Assert.All(units, u => Assert.Equal(0, u.Lease.Counter));

        // The same node takes the same shard again: its new fence is above every fence of the old generation.
        var newShard = (await Leases.TryAcquireAsync(units.Single(u => u.Key is ShardLeaseKey), "a", Duration, steal: false))!;
        var newSegment = (await Leases.TryAcquireAsync(units.Single(u => u.Key is SegmentLeaseKey), "a", Duration, steal: false))!;
        Assert.True(newShard.Counter > highest, $"{newShard.Counter} > {highest}");
        Assert.True(newSegment.Counter > newShard.Counter);

        // So a worker of the old generation that still holds its fence cannot pass for the new one.
        Assert.False(await Leases.RenewAsync(new ShardLeaseKey("Orders", "shardId-1", null), oldShard, Duration));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("100"), null, 1, oldShard));
        await Store.SaveShardPositionAsync("Orders", "shardId-1", SequenceNumber.Parse("100"), null, 1, newShard);
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
