using Replication.Checkpoints;
using Replication.Dynamo;
using Replication.ShardActors.Tables;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>The start position a shard learns before the full sync, and what happens when it cannot be trusted.</summary>
public sealed class StartPositionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_probe_that_restarts_during_the_full_sync_probes_again_and_applies_nothing_before_the_full_sync_is_done()
    {
        await using var h = new ShardTreeHarness(output, "replication.mode=all", "replication.full-sync.segments=1");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();

        // The Scan is refused until the test answers it: the full sync runs for as long as the test needs.
        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(() => h.Stream.CallsOf(a).Count >= 1 && h.ScanRequests >= 1, "the probe polled and the scan began");
        h.Stream.ServerErrorOnNextCall(a);
        await ShardTreeHarness.WaitUntilAsync(() => h.Stream.CallsOf(a).Any(c => c.Fault is not null), "the probe failed");

        // Written during the full sync: the scan below reads an older image of k, the stream has the newer one.
        var written = script.Put(a, "k", 2);
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { } s && (s.StartSequenceNumber is not null || s.SequenceNumber is not null),
            "the restarted probe saved a position");
        var during = (await h.ShardAsync(a))!;
        Assert.Equal(ShardStatus.Prepared, during.Status);
        Assert.Equal(written, during.StartSequenceNumber);
        Assert.Null(during.SequenceNumber);
        Assert.Empty(await h.TargetVersionsAsync());

        h.AnswerScansWith(ShardTreeHarness.Item("k", 1, "scan"));
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Processing, written);
    }

    [Fact]
    public async Task A_never_learned_position_whose_oldest_record_is_newer_than_a_full_sync_older_than_the_retention_is_a_stream_gap()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var h = new ShardTreeHarness(output, clock, "replication.mode=all", "replication.incremental.on-trimmed-data=stop");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        await h.FinishFullSyncWithoutStartPositionsAsync(a);
        // A day and more later, the shard's oldest record is from then: whatever was written in between is gone.
        clock.Advance(TimeSpan.FromHours(25));
        script.PutMany(a, "k", 3, version: 1);

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(() => h.TableReports.OfType<TableFailed>().Any(), "the table reported the gap");

        var failed = h.TableReports.OfType<TableFailed>().Single();
        Assert.Contains(a, failed.Reason);
        Assert.Contains("newer than the full sync's start", failed.Reason);
        var checkpoint = (await h.ShardAsync(a))!;
        Assert.Equal(ShardStatus.Prepared, checkpoint.Status);
        Assert.Null(checkpoint.SequenceNumber);
        Assert.Empty(await h.TargetVersionsAsync());
    }

    [Fact]
    public async Task A_never_learned_position_whose_oldest_record_predates_the_full_sync_is_read_from_TRIM_HORIZON_without_a_gap()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
        await using var h = new ShardTreeHarness(output, clock, "replication.mode=all", "replication.incremental.on-trimmed-data=stop");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 3, version: 1); // an hour before the full sync began: the shard still holds all since then
        await h.FinishFullSyncWithoutStartPositionsAsync(a);
        clock.Advance(TimeSpan.FromHours(26));
        var last = script.Put(a, "k0", 2);

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Processing, last);
        Assert.Empty(h.TableReports.OfType<TableFailed>());
        Assert.Equal(ShardIteratorType.TrimHorizon, h.Stream.IteratorRequests.First(r => r.ShardId == a).Type);
    }

    [Fact]
    public async Task In_a_cluster_a_first_run_leases_its_shards_once_the_full_sync_is_done_and_applies_later_writes_without_a_restart()
    {
        await using var h = new ShardTreeHarness(output, "replication.mode=all", "replication.full-sync.segments=1");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        var b = h.Stream.OpenShard();
        await h.StartClusterAsync();
        await ShardTreeHarness.WaitUntilAsync(() => h.Stream.CallsOf(a).Count >= 1 && h.Stream.CallsOf(b).Count >= 1, "both probes polled");

        // A learns its start position during the full sync; B only after it (nothing is written to B before).
        script.Put(a, "during", 1);
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { StartSequenceNumber: not null }, "shard A learned its start position");
        h.AnswerScansWith(ShardTreeHarness.Item("scanned", 1, "scan"));
        await ShardTreeHarness.WaitUntilAsync(async () => (await h.Checkpoints.GetTableAsync(ShardTreeHarness.Table))!.FullSync.Status == FullSyncStatus.Done,
            "the full sync finished");

        script.Put(a, "after-a", 1);
        script.Put(b, "after-b", 1);
        var expected = new Dictionary<string, int>(script.Expected) { ["scanned"] = 1 };
        await h.WaitForTargetAsync(expected);
        foreach (var shard in new[] { a, b })
        {
            var checkpoint = (await h.ShardAsync(shard))!;
            Assert.True(checkpoint.Leasable, $"shard {shard} was not made leasable");
            Assert.StartsWith("node-", checkpoint.Lease?.Owner);
        }
    }
}
