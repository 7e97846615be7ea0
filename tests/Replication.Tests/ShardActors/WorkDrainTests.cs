using Replication.ShardActors;

namespace Replication.Tests.ShardActors;

public sealed class WorkDrainTests
{
    [Fact]
    public async Task A_drain_waits_for_the_batches_in_flight_and_refuses_new_ones()
    {
        var drain = new WorkDrain();
        var batch = drain.TryBegin();
        Assert.NotNull(batch);

        var draining = drain.DrainAsync(TimeSpan.FromMinutes(2));

        Assert.True(drain.NewWorkStopped.IsCancellationRequested);
        Assert.Null(drain.TryBegin());
        Assert.False(draining.IsCompleted);
        batch.Dispose();
        batch.Dispose(); // ending twice counts once
        Assert.Equal(new DrainResult(1, Finished: true), await draining);
        Assert.Equal(0, drain.InFlight);
    }

    [Fact]
    public async Task A_batch_that_never_ends_makes_the_drain_report_it_did_not_finish()
    {
        var drain = new WorkDrain();
        using var stuck = drain.TryBegin();
        var idle = drain.TryBegin();
        idle!.Dispose();

        var result = await drain.DrainAsync(TimeSpan.FromMilliseconds(50));

        Assert.Equal(new DrainResult(1, Finished: false), result);
    }

    [Fact]
    public async Task An_idle_node_drains_at_once()
    {
        var drain = new WorkDrain();
        Assert.Equal(new DrainResult(0, Finished: true), await drain.DrainAsync(TimeSpan.FromMinutes(2)));
    }
}
