using Replication.Checkpoints;
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
}
