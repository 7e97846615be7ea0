using Akka.Actor;
using Akka.TestKit;
using Replication.Checkpoints;
using Replication.ShardActors;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>
/// Our workers under Akka's supervision, on Akka's virtual time (TestScheduler): a restarted worker waits out its
/// back-off before it touches the source again, and carries on from its checkpoint.
/// </summary>
public sealed class WorkerRestartTests : Akka.TestKit.Xunit2.TestKit
{
    private const string VirtualTime = "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"";

    private readonly ITestOutputHelper _output;

    public WorkerRestartTests(ITestOutputHelper output) : base(VirtualTime, output) => _output = output;

    [Fact]
    public async Task A_shard_that_failed_reads_again_only_after_its_back_off_and_loses_nothing()
    {
        var scheduler = (TestScheduler)Sys.Scheduler;
        await using var h = new ShardTreeHarness(_output, new SchedulerClock(scheduler));
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 5, version: 1);
        h.Stream.ServerErrorOnNextCall(a);

        await h.StartAsync(Sys);
        await AdvanceUntilAsync(scheduler, async () => (await h.TargetVersionsAsync()).Count == 5, "the shard's records were applied after its restart");
        await h.WaitForTargetAsync(script.Expected);

        var failed = Assert.Single(h.Stream.CallsOf(a), c => c.Fault is not null);
        var again = h.Stream.IteratorRequests.Where(r => r.ShardId == a && r.Order > failed.Order).MinBy(r => r.Order)!;
        Assert.True(again.At - failed.At >= RestartBackoff.Workers.Min,
            $"the restarted shard asked for an iterator {(again.At - failed.At).TotalMilliseconds:F0} ms (virtual) after it failed, before its back-off of {RestartBackoff.Workers.Min}");
        Assert.Equal(1, h.Services!.Restarts.RestartsInARow(RestartLedger.ShardUnit(ShardTreeHarness.Table, a)));
        StreamCallEvidence.EveryRecordWasRead(h.Stream, a);
        await h.WaitForShardAsync(a, ShardStatus.Processing, h.Stream.SequenceNumbersOf(a)[^1]);
    }

    /// <summary>Moves virtual time on in small steps, giving the actors real time to act on each, until the condition holds.</summary>
    private static async Task AdvanceUntilAsync(TestScheduler scheduler, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            scheduler.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20);
        }
    }

    /// <summary>The node's and the stream's clock read the TestScheduler's virtual time.</summary>
    private sealed class SchedulerClock(IScheduler scheduler) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => scheduler.Now;
    }
}
