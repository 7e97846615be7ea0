using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Replication.Testing.InMemoryMongo.Engine.Cursors;

/// <summary>
/// Open cursors by id. Ids are random positive 63-bit numbers, as MongoDB's are, so they are never guessed or reused.
/// A cursor unused for <see cref="IdleTimeout"/> is closed, as mongod's cursorTimeoutMillis does, so clients that
/// abandon cursors cannot grow the server without bound; the sweep runs whenever a cursor is opened.
/// </summary>
public sealed class CursorRegistry(TimeSpan idleTimeout)
{
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();
    private long _nextSweepTicks;

    public TimeSpan IdleTimeout { get; } = idleTimeout;
    public int Count => _cursors.Count;

    public long Register(ServerCursor cursor)
    {
        SweepIdle();
        cursor.Touch();
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 0x1_0000_0000L + RandomNumberGenerator.GetInt32(0, int.MaxValue);
            cursor.Id = id;
            if (_cursors.TryAdd(id, cursor)) return id;
        }
    }

    public bool TryGet(long id, out ServerCursor cursor)
    {
        if (!_cursors.TryGetValue(id, out cursor!)) return false;
        cursor.Touch();
        return true;
    }

    public bool Remove(long id) => _cursors.TryRemove(id, out _);

    private void SweepIdle()
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextSweepTicks);
        var idleMs = (long)IdleTimeout.TotalMilliseconds;
        if (now < next || Interlocked.CompareExchange(ref _nextSweepTicks, now + Math.Min(10_000, idleMs), next) != next) return;
        foreach (var (id, cursor) in _cursors)
            if (now - cursor.LastUsedTicks >= idleMs) _cursors.TryRemove(id, out _);
    }
}
