namespace Replication.Actors;

/// <summary>The timers of one actor cell. The dictionary is touched only on the actor's turn; timer callbacks only enqueue.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, TimerEntry> _timers = [];
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan timeout) => Start(key, message, timeout, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"{cell.Self.Path}: a periodic timer needs a positive interval.");
        }

        Start(key, message, initialDelay, interval);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var entry))
        {
            entry.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Dispose();
        }

        _timers.Clear();
    }

    /// <summary>Resolves a fired timer to the message to deliver, or null when the timer was cancelled or replaced since.</summary>
    public object? Accept(TimerFired fired)
    {
        if (!_timers.TryGetValue(fired.Key, out var entry) || entry.Generation != fired.Generation)
        {
            return null;
        }

        if (!entry.Periodic)
        {
            _timers.Remove(fired.Key);
            entry.Dispose();
        }

        return entry.Message;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        var entry = new TimerEntry(cell, key, message, ++_generation, period != Timeout.InfiniteTimeSpan);
        _timers[key] = entry;
        entry.Arm(delay, period);
    }

    private sealed class TimerEntry(ActorCell cell, object key, object message, int generation, bool periodic) : IDisposable
    {
        private Timer? _timer;
        private TimerFired? _fired;

        public object Message { get; } = message;

        public int Generation { get; } = generation;

        public bool Periodic { get; } = periodic;

        public void Arm(TimeSpan delay, TimeSpan period)
        {
            _fired = new TimerFired(key, Generation);
            cell.System.TimerStarted();
            _timer = new Timer(static state => ((TimerEntry)state!).Fire(), this, delay, period);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _timer, null) is { } timer)
            {
                timer.Dispose();
                cell.System.TimerStopped();
            }
        }

        private void Fire()
        {
            if (Volatile.Read(ref _timer) is not null)
            {
                cell.PostTimer(_fired!);
            }
        }
    }
}

/// <summary>What a timer puts in its actor's mailbox; the cell swaps it for the timer's message if the timer is still current.</summary>
internal sealed record TimerFired(object Key, int Generation);
