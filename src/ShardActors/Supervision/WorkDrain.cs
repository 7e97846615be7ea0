namespace Replication.ShardActors;

/// <summary>How a graceful stop went: the batches being written when it began, and whether they all finished in time.</summary>
public sealed record DrainResult(int InFlightAtStop, bool Finished);

/// <summary>
/// A node's graceful stop. Every page or stream batch is written inside a <see cref="Batch"/>; once the drain begins no
/// new batch starts (and <see cref="NewWorkStopped"/> stops new Scan and GetRecords calls), while the batches already
/// begun are written and checkpointed under their actor's own token. The node waits for them, bounded, before it
/// cancels anything — so a stop loses no acknowledged work and leaves no written page without its saved position.
/// </summary>
public sealed class WorkDrain
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _newWork = new();
    private TaskCompletionSource? _idle;
    private bool _draining;
    private int _inFlight;

    public CancellationToken NewWorkStopped => _newWork.Token;

    public bool IsDraining
    {
        get { lock (_gate) return _draining; }
    }

    public int InFlight
    {
        get { lock (_gate) return _inFlight; }
    }

    /// <summary>Null once the node is stopping: the caller must not start writing.</summary>
    public Batch? TryBegin()
    {
        lock (_gate)
        {
            if (_draining) return null;
            _inFlight++;
            return new Batch(this);
        }
    }

    public async Task<DrainResult> DrainAsync(TimeSpan timeout)
    {
        int atStop;
        Task idle;
        lock (_gate)
        {
            _draining = true;
            atStop = _inFlight;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight == 0) _idle.TrySetResult();
            idle = _idle.Task;
        }
        // Outside the lock: cancellation runs the callbacks of in-flight reads synchronously.
        await _newWork.CancelAsync().ConfigureAwait(false);
        var finished = await Task.WhenAny(idle, Task.Delay(timeout)).ConfigureAwait(false) == idle;
        return new DrainResult(atStop, finished);
    }

    private void End()
    {
        lock (_gate)
        {
            if (--_inFlight == 0) _idle?.TrySetResult();
        }
    }

    public sealed class Batch(WorkDrain drain) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) drain.End();
        }
    }
}
