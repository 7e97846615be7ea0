using Replication.Checkpoints;
using Replication.Cluster;

namespace Replication.Tests.Cluster;

/// <summary>The holder's fence on its own (manual) monotonic clock: writes pass within the safe window only, and revocation waits for writes in flight.</summary>
public sealed class LeaseFenceTests : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private static readonly CheckpointFence Claim = new("node-a", 7);
    private readonly ManualClock _clock = new();
    private readonly List<LeaseFence> _fences = [];

    private LeaseFence TakenNow()
    {
        var fence = new LeaseFence(Claim, Duration, _clock.GetTimestamp(), _clock);
        _fences.Add(fence);
        return fence;
    }

    public void Dispose()
    {
        foreach (var fence in _fences) fence.Dispose();
    }

    [Fact]
    public async Task Writes_pass_within_the_safe_fraction_of_the_lease_counted_from_when_the_take_was_sent()
    {
        var sentAt = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromSeconds(2)); // the take took 2 s to come back: those 2 s are already spent
        var fence = new LeaseFence(Claim, Duration, sentAt, _clock);
        _fences.Add(fence);

        Assert.Equal(TimeSpan.FromSeconds(7), fence.Remaining);
        Assert.Equal(1, await fence.WriteAsync(_ => Task.FromResult(1), CancellationToken.None));
        _clock.Advance(TimeSpan.FromSeconds(6.9));
        Assert.True(fence.IsValid);
        Assert.Equal(2, await fence.WriteAsync(_ => Task.FromResult(2), CancellationToken.None));
    }

    [Fact]
    public async Task After_the_window_no_write_is_sent()
    {
        var fence = TakenNow();
        _clock.Advance(Duration * LeaseFence.SafeFraction);

        Assert.False(fence.IsValid);
        Assert.Equal(TimeSpan.Zero, fence.Remaining);
        var sent = false;
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => fence.WriteAsync(_ =>
        {
            sent = true;
            return Task.CompletedTask;
        }, CancellationToken.None));
        Assert.False(sent);
        Assert.Equal(Claim, lost.Claim);
    }

    [Fact]
    public async Task A_renewal_extends_the_window_from_when_it_was_sent_but_never_revives_an_expired_fence()
    {
        var fence = TakenNow();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var renewalSent = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(fence.Renewed(renewalSent));
        Assert.Equal(TimeSpan.FromSeconds(8), fence.Remaining); // 9 s from the renewal's sending, 1 s of which passed

        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.False(fence.IsValid);
        Assert.False(fence.Renewed(_clock.GetTimestamp())); // the node was paused past it: another may own the unit now
        Assert.False(fence.IsValid);
        await Assert.ThrowsAsync<LeaseLostException>(() => fence.WriteAsync(_ => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task Revocation_stops_new_writes_at_once_and_completes_only_when_the_writes_in_flight_have_ended()
    {
        var fence = TakenNow();
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var write = fence.WriteAsync(async _ =>
        {
            started.SetResult();
            await inFlight.Task;
            return "written";
        }, CancellationToken.None);
        await started.Task.WaitAsync(WaitLimit);

        var revoked = fence.RevokeAsync();
        Assert.False(fence.IsValid);
        await Assert.ThrowsAsync<LeaseLostException>(() => fence.WriteAsync(_ => Task.CompletedTask, CancellationToken.None));
        await Task.Yield();
        Assert.False(revoked.IsCompleted); // the lease must not be handed back while the write may still land

        inFlight.SetResult();
        Assert.Equal("written", await write.WaitAsync(WaitLimit));
        await revoked.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task Revocation_with_nothing_in_flight_completes_at_once()
    {
        var fence = TakenNow();
        await fence.WriteAsync(_ => Task.CompletedTask, CancellationToken.None);
        Assert.True(fence.RevokeAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_write_still_in_flight_when_the_fence_expires_is_cancelled_and_reported_as_a_lost_lease()
    {
        // The system clock here: the expiry timer is real, and a short lease makes it fire soon.
        var fence = new LeaseFence(Claim, TimeSpan.FromMilliseconds(500), TimeProvider.System.GetTimestamp());
        _fences.Add(fence);
        var write = fence.WriteAsync(async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token); // a write that would never come back
            return 0;
        }, CancellationToken.None);
        var revoked = fence.RevokeAsync(); // waits: the write is in flight until the expiry cancels it

        await Assert.ThrowsAsync<LeaseLostException>(() => write.WaitAsync(WaitLimit));
        await revoked.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task A_caller_that_gives_up_cancels_its_write_as_before()
    {
        var fence = TakenNow();
        using var caller = new CancellationTokenSource();
        var write = fence.WriteAsync(token => Task.Delay(Timeout.InfiniteTimeSpan, token), caller.Token);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(WaitLimit));
        Assert.True(fence.IsValid);
    }
}
