using Replication.Checkpoints;

namespace Replication.Cluster;

/// <summary>
/// The holder's side of one leased unit (a Scan segment or a stream shard): every write the unit's worker makes —
/// to the target, the dead letters or the checkpoints — goes through <see cref="WriteAsync{T}"/>, which refuses to
/// send it once the lease may be someone else's. Validity runs on this node's monotonic clock from the moment the
/// last successful take or renewal was <em>sent</em>, for <see cref="SafeFraction"/> of the lease duration: another
/// node takes the lease only after it saw the same renewal stamp unchanged for the whole duration on its own clock
/// (<see cref="LeaseTable"/>), which begins no earlier than the renewal reached the database. So no clock has to agree
/// with another, only tick at about the same rate; the rest of the duration is the margin for that and for a write on
/// its way to the server. A write still in flight when the fence expires is cancelled.
/// </summary>
public sealed class LeaseFence : IDisposable
{
    /// <summary>The share of the lease duration this node trusts itself to hold the lease after a renewal was sent.</summary>
    public const double SafeFraction = 0.9;

    // The write this async flow is sending, for the last check as its bytes go out (see CheckBeforeSending).
    private static readonly AsyncLocal<SendingWrite?> Sending = new();

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly long _window;
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer _expiry;
    private long _validUntil;
    private bool _revoked;
    private int _inFlight;
    private TaskCompletionSource? _drained;

    /// <param name="claim">The lease as taken (owner and counter): checkpoint writes carry it as their condition.</param>
    /// <param name="sentAt">This clock's timestamp taken just before the successful take was sent.</param>
    public LeaseFence(CheckpointFence claim, TimeSpan leaseDuration, long sentAt, TimeProvider? clock = null)
    {
        Claim = claim;
        _clock = clock ?? TimeProvider.System;
        _window = (long)(leaseDuration.TotalSeconds * SafeFraction * _clock.TimestampFrequency);
        _validUntil = sentAt + _window;
        _expiry = _clock.CreateTimer(_ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmExpiry();
    }

    public CheckpointFence Claim { get; }

    /// <summary>True while writes may be sent: neither expired nor revoked.</summary>
    public bool IsValid
    {
        get
        {
            lock (_gate) return IsValidLocked();
        }
    }

    /// <summary>How long writes may still be sent without a further renewal (zero once expired or revoked).</summary>
    public TimeSpan Remaining
    {
        get
        {
            lock (_gate) return IsValidLocked() ? _clock.GetElapsedTime(_clock.GetTimestamp(), _validUntil) : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// A renewal sent at <paramref name="sentAt"/> succeeded: the fence holds for another window from then. False when
    /// the fence had already expired or was revoked — it never comes back, the unit must be handed back.
    /// </summary>
    public bool Renewed(long sentAt)
    {
        lock (_gate)
        {
            if (!IsValidLocked()) return false;
            _validUntil = Math.Max(_validUntil, sentAt + _window);
            ArmExpiry();
            return true;
        }
    }

    /// <summary>
    /// Sends <paramref name="write"/> if the fence still holds, else throws <see cref="LeaseLostException"/> without
    /// sending anything. The write runs under a token that is also cancelled when the fence expires.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!IsValidLocked()) throw new LeaseLostException(Claim, _revoked ? "it was handed back" : "it was not renewed in time");
            _inFlight++;
        }
        var sending = new SendingWrite(this);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _expired.Token);
            Sending.Value = sending;
            try
            {
                return await write(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_expired.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new LeaseLostException(Claim, "it expired while a write was in flight");
            }
        }
        finally
        {
            sending.Ended();
            lock (_gate)
            {
                if (--_inFlight == 0) _drained?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The last check, made by the MongoDB client as a message goes on the wire (MongoClientFactory subscribes it to
    /// the driver's ConnectionSendingMessagesEvent, raised in the sending flow): a process frozen between
    /// <see cref="WriteAsync{T}"/>'s check and the send (SIGSTOP, a VM pause) wakes up there and must not send. The
    /// driver then fails the write as a connection error, and the writer's next attempt meets the expired fence.
    /// </summary>
    public static void CheckBeforeSending()
    {
        if (Sending.Value is { IsActive: true, Fence: var fence } && !fence.IsValid)
            throw new LeaseLostException(fence.Claim, "it was not renewed in time (checked again as the write went out)");
    }

    public Task WriteAsync(Func<CancellationToken, Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async token =>
        {
            await write(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// No write starts from now on; completes when every write in flight has ended (or was cancelled at expiry), so
    /// the lease may be handed back without a write of this node arriving after it.
    /// </summary>
    public Task RevokeAsync()
    {
        lock (_gate)
        {
            _revoked = true;
            if (_inFlight == 0) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public void Dispose()
    {
        _expiry.Dispose();
        _expired.Dispose();
    }

    /// <summary>
    /// One write in flight under a fence. Background work the driver starts during it (its server monitors) inherits
    /// the async flow; once the write has ended it no longer answers for them.
    /// </summary>
    private sealed class SendingWrite(LeaseFence fence)
    {
        private volatile bool _ended;

        public LeaseFence Fence => fence;

        public bool IsActive => !_ended;

        public void Ended() => _ended = true;
    }

    private bool IsValidLocked() => !_revoked && !_expired.IsCancellationRequested && _clock.GetTimestamp() < _validUntil;

    // Cancels writes in flight at expiry; re-armed by every renewal.
    private void ArmExpiry()
    {
        var left = _clock.GetElapsedTime(_clock.GetTimestamp(), _validUntil);
        _expiry.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Expire()
    {
        lock (_gate)
        {
            // A renewal may have moved the end after the timer was set; then it waits for the new end.
            if (_clock.GetTimestamp() < _validUntil)
            {
                ArmExpiry();
                return;
            }
        }
        try { _expired.Cancel(); }
        catch (ObjectDisposedException) { } // the unit is gone; nothing is left to cancel
    }
}

/// <summary>A leased unit's write was refused before it was sent: the lease may already belong to another node.</summary>
public sealed class LeaseLostException(CheckpointFence claim, string why)
    : Exception($"the lease of {claim.Owner} (counter {claim.Counter}) no longer covers writes: {why}")
{
    public CheckpointFence Claim => claim;
}

/// <summary>Writes of work that may or may not be leased: without a fence (a single node) they go straight through.</summary>
public static class LeaseFenceGuard
{
    public static Task<T> GuardAsync<T>(this LeaseFence? fence, Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken) =>
        fence is null ? write(cancellationToken) : fence.WriteAsync(write, cancellationToken);

    public static Task GuardAsync(this LeaseFence? fence, Func<CancellationToken, Task> write, CancellationToken cancellationToken) =>
        fence is null ? write(cancellationToken) : fence.WriteAsync(write, cancellationToken);
}
