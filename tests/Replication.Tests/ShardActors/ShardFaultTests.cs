using Replication.Checkpoints;
using Replication.Dynamo;
using Replication.ShardActors.Tables;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>Stream errors a shard actor meets, and the GetRecords rate it keeps.</summary>
public sealed class ShardFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_expired_iterator_is_renewed_after_the_checkpoint_and_nothing_is_lost()
    {
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=3");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 15, version: 1);
        var sixth = h.Stream.SequenceNumbersOf(a)[5];

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { SequenceNumber: { } s } && s >= sixth, "shard A passed its sixth record");
        h.Stream.ExpireIteratorOnNextCall(a);
        script.PutMany(a, "k", 15, version: 2);
        var last = script.Put(a, "k0", 3);
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Processing, last);

        var calls = h.Stream.CallsOf(a);
        var expired = Assert.Single(calls, c => c.Fault == "ExpiredIteratorException");
        var appliedBefore = calls.Where(c => c.Order < expired.Order).SelectMany(c => c.Returned).Max();
        var renewed = h.Stream.IteratorRequests.Where(r => r.ShardId == a && r.Order > expired.Order).MinBy(r => r.Order)!;
        Assert.Equal(ShardIteratorType.AfterSequenceNumber, renewed.Type);
        Assert.Equal(appliedBefore, renewed.SequenceNumber);
        StreamCallEvidence.EveryRecordWasRead(h.Stream, a);
        Assert.Equal(h.Stream.SequenceNumbersOf(a).Count, (await h.ShardAsync(a))!.RecordsApplied);
    }

    [Fact]
    public async Task GetRecords_calls_on_a_shard_are_never_closer_together_than_min_poll_interval()
    {
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=2");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        var b = h.Stream.OpenShard();
        // Far more records than one call returns: without pacing the actors would call again as soon as a page is applied.
        script.PutMany(a, "a", 20, version: 1);
        script.PutMany(b, "b", 20, version: 1);
        var child = h.Stream.Split(a, children: 1)[0];
        script.PutMany(child, "a", 10, version: 2);

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(() => h.Stream.CallsOf(b).Count >= 4, "shard B was read a few times");
        h.Stream.ExpireIteratorOnNextCall(b);
        await h.WaitForTargetAsync(script.Expected);

        // The recorded times are taken a moment after the actor took its own, so they may be a little closer than the
        // actor's; 50 ms covers that scheduling noise while still catching calls that are not paced at all.
        var floor = h.Settings.Incremental.MinPollInterval - TimeSpan.FromMilliseconds(50);
        foreach (var shard in new[] { a, b, child })
        {
            var times = h.Stream.CallsOf(shard).Select(c => c.At).ToArray();
            Assert.True(times.Length >= 5, $"shard {shard} was read {times.Length} times");
            for (var i = 1; i < times.Length; i++)
                Assert.True(times[i] - times[i - 1] >= floor,
                    $"shard {shard}: GetRecords calls {i - 1} and {i} were {(times[i] - times[i - 1]).TotalMilliseconds:F0} ms apart");
        }
    }

    [Fact]
    public async Task Records_trimmed_before_they_were_applied_stop_the_table_without_moving_the_checkpoint_past_them()
    {
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=2", "replication.incremental.on-trimmed-data=stop");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 40, version: 1);
        var fourth = h.Stream.SequenceNumbersOf(a)[3];
        var trimmedTo = h.Stream.SequenceNumbersOf(a)[34];

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { SequenceNumber: { } s } && s >= fourth, "shard A passed its fourth record");
        h.Stream.TrimThrough(a, trimmedTo);
        await ShardTreeHarness.WaitUntilAsync(() => h.TableReports.OfType<TableFailed>().Any(), "the table reported that it cannot go on");

        var failed = h.TableReports.OfType<TableFailed>().Single();
        Assert.Equal(ShardTreeHarness.Table, failed.Table);
        Assert.Contains(a, failed.Reason);
        var trimmedCall = Assert.Single(h.Stream.CallsOf(a), c => c.Fault == "TrimmedDataAccessException");
        var checkpoint = (await h.ShardAsync(a))!;
        Assert.Equal(ShardStatus.Processing, checkpoint.Status);
        Assert.True(checkpoint.SequenceNumber < trimmedTo, $"the checkpoint {checkpoint.SequenceNumber} moved past records that were never applied");
        Assert.Equal(h.Stream.CallsOf(a).Where(c => c.Order < trimmedCall.Order).SelectMany(c => c.Returned).Max(), checkpoint.SequenceNumber);
        Assert.DoesNotContain(h.Stream.CallsOf(a), c => c.Order > trimmedCall.Order);
    }

    [Fact]
    public async Task In_a_cluster_records_trimmed_before_they_were_applied_stop_every_shard_of_the_table_on_every_node()
    {
        var leaseDuration = TimeSpan.FromSeconds(3);
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=2", "replication.incremental.on-trimmed-data=stop",
            $"replication.cluster.lease-duration={leaseDuration.TotalSeconds}s", "replication.cluster.lease-renew-interval=1s");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        var b = h.Stream.OpenShard();
        script.PutMany(a, "a", 40, version: 1);
        script.PutMany(b, "b", 3, version: 1);
        var fourth = h.Stream.SequenceNumbersOf(a)[3];
        var trimmedTo = h.Stream.SequenceNumbersOf(a)[34];

        // Both shards run as leased unit entities; B is caught up when A's next records are trimmed before it read them.
        await h.StartClusterAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { SequenceNumber: { } s } && s >= fourth, "shard A passed its fourth record");
        await ShardTreeHarness.WaitUntilAsync(async () => (await h.TargetVersionsAsync()).ContainsKey("b2"), "shard B applied its records");
        Assert.NotNull((await h.ShardAsync(b))!.Lease?.Owner);
        h.Stream.TrimThrough(a, trimmedTo);
        await ShardTreeHarness.WaitUntilAsync(() => h.TableReports.OfType<TableFailed>().Any(), "the table reported that it cannot go on");
        var failed = h.TableReports.OfType<TableFailed>().Single();
        Assert.Contains(a, failed.Reason);
        Assert.Contains("on-trimmed-data = stop", failed.Reason);

        // The table stopped: no node applies a record of any of its shards any more, however long it is given.
        var before = (await h.ShardAsync(b))!;
        script.Put(b, "after-stop", 1);
        await Task.Delay(2 * leaseDuration + TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("after-stop", (await h.TargetVersionsAsync()).Keys);
        foreach (var shard in new[] { a, b })
        {
            var checkpoint = (await h.ShardAsync(shard))!;
            Assert.False(checkpoint.Leasable, $"shard {shard} may still be leased");
            Assert.Null(checkpoint.Lease?.Owner);
        }
        Assert.Equal(before.SequenceNumber, (await h.ShardAsync(b))!.SequenceNumber);
        // The gap stays in the table's checkpoint: a coordinator started later finds it and stops the table again.
        Assert.Equal(a, (await h.Checkpoints.GetTableAsync(ShardTreeHarness.Table))!.Gap?.ShardId);
    }

    [Fact]
    public async Task A_shard_actor_that_fails_restarts_from_its_checkpoint_and_its_child_still_waits_for_it()
    {
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=3");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 30, version: 1);
        var b = h.Stream.Split(a, children: 1)[0];
        script.PutMany(b, "k", 5, version: 2);
        var fifth = h.Stream.SequenceNumbersOf(a)[4];

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { SequenceNumber: { } s } && s >= fifth, "shard A passed its fifth record");
        h.Stream.ServerErrorOnNextCall(a);
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Done);

        var failedCall = Assert.Single(h.Stream.CallsOf(a), c => c.Fault is not null);
        var appliedBefore = h.Stream.CallsOf(a).Where(c => c.Order < failedCall.Order).SelectMany(c => c.Returned).Max();
        var resumed = h.Stream.IteratorRequests.Where(r => r.ShardId == a && r.Order > failedCall.Order).MinBy(r => r.Order)!;
        Assert.Equal(ShardIteratorType.AfterSequenceNumber, resumed.Type);
        Assert.Equal(appliedBefore, resumed.SequenceNumber);
        StreamCallEvidence.EveryRecordWasRead(h.Stream, a);
        StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, a, b);
        Assert.Equal(30, (await h.ShardAsync(a))!.RecordsApplied);
    }
}
