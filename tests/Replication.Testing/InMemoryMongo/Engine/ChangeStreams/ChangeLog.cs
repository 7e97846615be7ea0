using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// The oplog stand-in: a bounded, ordered log of change events with consecutive positions. Appending ticks the
/// cluster clock inside the log's lock, so log order and cluster-time order agree. Readers may block (bounded) for
/// new entries, which is how a change stream's getMore awaits data.
/// </summary>
public sealed class ChangeLog(ClusterClock clock, int capacity)
{
    private readonly object _lock = new(); // a Monitor, because readers wait on it for new events
    private readonly List<ChangeEvent> _events = [];
    private long _firstPosition = 1; // position of _events[0]
    private long _lastPosition;      // 0 when nothing was ever logged
    private BsonTimestamp _lastTime = clock.Current;
    private BsonTimestamp? _lastTrimmedTime;

    public ClusterClock Clock => clock;

    /// <summary>Appends an event built from its position and time; returns it.</summary>
    public ChangeEvent Append(Func<long, BsonTimestamp, ChangeEvent> build)
    {
        lock (_lock)
        {
            var time = clock.Tick();
            var e = build(_lastPosition + 1, time);
            _events.Add(e);
            _lastPosition = e.Position;
            _lastTime = time;
            if (_events.Count > capacity)
            {
                // Trim in chunks so appends stay amortised O(1).
                var drop = Math.Max(1, _events.Count - capacity + capacity / 10);
                drop = Math.Min(drop, _events.Count - 1);
                _lastTrimmedTime = _events[drop - 1].ClusterTime;
                _events.RemoveRange(0, drop);
                _firstPosition += drop;
            }
            Monitor.PulseAll(_lock);
            return e;
        }
    }

    /// <summary>The newest position and its time: where a stream opened now starts.</summary>
    public ResumeToken Head
    {
        get
        {
            lock (_lock) return new ResumeToken(_lastTime, _lastPosition);
        }
    }

    /// <summary>True if every event after <paramref name="position"/> is still in the log.</summary>
    public bool CanResumeAfter(long position)
    {
        lock (_lock) return position + 1 >= _firstPosition && position <= _lastPosition;
    }

    /// <summary>
    /// The position just before the first event at or after <paramref name="time"/>, or null when events at or after
    /// that time were already trimmed from the log.
    /// </summary>
    public long? PositionBefore(BsonTimestamp time)
    {
        lock (_lock)
        {
            if (_lastTrimmedTime is { } trimmed && time.Value <= trimmed.Value) return null;
            var index = _events.FindIndex(e => e.ClusterTime.Value >= time.Value);
            return index >= 0 ? _firstPosition + index - 1 : _lastPosition;
        }
    }

    /// <summary>Up to <paramref name="max"/> events after <paramref name="position"/>, waiting up to <paramref name="wait"/> if there are none.</summary>
    public IReadOnlyList<ChangeEvent> ReadAfter(long position, int max, TimeSpan wait)
    {
        lock (_lock)
        {
            if (_lastPosition <= position && wait > TimeSpan.Zero)
            {
                var deadline = DateTime.UtcNow + wait;
                while (_lastPosition <= position)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left)) break;
                }
            }
            if (_lastPosition <= position) return [];
            var start = (int)Math.Max(0, position + 1 - _firstPosition);
            var count = Math.Min(max, _events.Count - start);
            return _events.GetRange(start, count);
        }
    }
}
