using Replication.Checkpoints;
using Replication.Dynamo;
using Replication.Testing.Streams;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>Where each shard stands after its records are applied, and a node that restarts from there.</summary>
public sealed class ShardCheckpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_shard_ends_at_its_last_record_and_a_restarted_node_resumes_after_it_down_the_tree()
    {
        await using var h = new ShardTreeHarness(output);
        await using var watch = new CheckpointWatch(h.Checkpoints, ShardTreeHarness.Table);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 10, version: 1);
        var lastOfA = script.Put(a, "k0", 2);
        var b = h.Stream.Split(a, children: 1)[0];
        script.Put(b, "k1", 2);
        var lastOfB = script.Put(b, "k2", 2);

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Done, lastOfA);
        await h.WaitForShardAsync(b, ShardStatus.Processing, lastOfB);
        await h.StopAsync();
        var beforeRestart = h.Stream.Calls.Max(c => c.Order);

        // While the node is down B goes on, then splits; the restarted node must pick up exactly where B stood.
        script.Put(b, "k3", 3);
        var lastOfBNow = script.Put(b, "k0", 3);
        var c = h.Stream.Split(b, children: 1)[0];
        var lastOfC = script.Put(c, "k3", 4);

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(b, ShardStatus.Done, lastOfBNow);
        await h.WaitForShardAsync(c, ShardStatus.Processing, lastOfC);

        Assert.DoesNotContain(h.Stream.Calls, call => call.ShardId == a && call.Order > beforeRestart);
        var resumedB = h.Stream.IteratorRequests.Where(r => r.ShardId == b && r.Order > beforeRestart).MinBy(r => r.Order)!;
        Assert.Equal(ShardIteratorType.AfterSequenceNumber, resumedB.Type);
        Assert.Equal(lastOfB, resumedB.SequenceNumber);
        Assert.All(h.Stream.CallsOf(b).Where(call => call.Order > beforeRestart).SelectMany(call => call.Returned), s => Assert.True(s > lastOfB));
        StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, b, c);
        Assert.Equal(11, (await h.ShardAsync(a))!.RecordsApplied);
        Assert.Equal(4, (await h.ShardAsync(b))!.RecordsApplied);
        watch.AssertNeverWentBackwards();
    }

    [Fact]
    public async Task A_node_stopped_in_the_middle_of_a_shard_resumes_exactly_after_the_checkpoint()
    {
        await using var h = new ShardTreeHarness(output, "replication.incremental.records-limit=2");
        await using var watch = new CheckpointWatch(h.Checkpoints, ShardTreeHarness.Table);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 20, version: 1);
        var last = script.PutMany(a, "k", 20, version: 2);
        var tenth = h.Stream.SequenceNumbersOf(a)[9];

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync(a) is { SequenceNumber: { } s } && s >= tenth, "shard A passed its tenth record");
        await h.StopAsync();
        var stoppedAt = (await h.ShardAsync(a))!;
        var beforeRestart = h.Stream.Calls.Max(c => c.Order);
        Assert.True(stoppedAt.SequenceNumber < last, "the node was stopped before it finished the shard");

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Processing, last);

        var resumed = h.Stream.IteratorRequests.Where(r => r.ShardId == a && r.Order > beforeRestart).MinBy(r => r.Order)!;
        Assert.Equal(ShardIteratorType.AfterSequenceNumber, resumed.Type);
        Assert.Equal(stoppedAt.SequenceNumber, resumed.SequenceNumber);
        var firstAfterRestart = h.Stream.CallsOf(a).Where(c => c.Order > beforeRestart && c.Returned.Count > 0).MinBy(c => c.Order)!;
        var all = h.Stream.SequenceNumbersOf(a);
        Assert.Equal(all[all.ToList().IndexOf(stoppedAt.SequenceNumber!.Value) + 1], firstAfterRestart.First);
        // Each record was applied once: the count the checkpoint keeps adds up to the shard's size.
        Assert.Equal(all.Count, (await h.ShardAsync(a))!.RecordsApplied);
        watch.AssertNeverWentBackwards();
    }
}

/// <summary>Samples the table's shard checkpoints in the background and remembers any that moved backwards.</summary>
internal sealed class CheckpointWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly List<string> _regressions = [];
    private int _samples;

    public CheckpointWatch(CheckpointStore store, string table) => _sampling = SampleAsync(store, table);

    private async Task SampleAsync(CheckpointStore store, string table)
    {
        var seen = new Dictionary<string, (ShardStatus Status, SequenceNumber? Sequence)>();
        while (!_stop.IsCancellationRequested)
        {
            foreach (var shard in await store.ListShardsAsync(table))
            {
                if (seen.TryGetValue(shard.ShardId, out var before))
                {
                    if (before.Sequence is { } b && (shard.SequenceNumber is not { } now || now < b))
                        lock (_regressions) _regressions.Add($"shard {shard.ShardId}: {b} → {shard.SequenceNumber?.ToString() ?? "none"}");
                    if (before.Status is ShardStatus.Done && shard.Status is not ShardStatus.Done)
                        lock (_regressions) _regressions.Add($"shard {shard.ShardId}: Done → {shard.Status}");
                }
                seen[shard.ShardId] = (shard.Status, shard.SequenceNumber);
            }
            Interlocked.Increment(ref _samples);
            try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public void AssertNeverWentBackwards()
    {
        Assert.True(Volatile.Read(ref _samples) > 0, "the checkpoints were never sampled");
        lock (_regressions) Assert.True(_regressions.Count == 0, "checkpoints went backwards: " + string.Join("; ", _regressions));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sampling;
        _stop.Dispose();
    }
}
