using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>
/// The cluster time: a BSON Timestamp (wall-clock seconds, increment) that strictly increases with every write,
/// as the oplog's <c>ts</c> does. Reads report the latest value without advancing it.
/// </summary>
public sealed class ClusterClock
{
    private readonly Lock _lock = new();
    private uint _seconds;
    private uint _increment;

    public ClusterClock()
    {
        _seconds = NowSeconds();
        _increment = 1;
    }

    public BsonTimestamp Current
    {
        get
        {
            lock (_lock) return new BsonTimestamp((int)_seconds, (int)_increment);
        }
    }

    public BsonTimestamp Tick()
    {
        lock (_lock)
        {
            var now = NowSeconds();
            if (now > _seconds)
            {
                _seconds = now;
                _increment = 1;
            }
            else _increment++;
            return new BsonTimestamp((int)_seconds, (int)_increment);
        }
    }

    private static uint NowSeconds() => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
