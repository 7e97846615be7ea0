using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Cursors;

/// <summary>A server-side cursor that getMore continues. One getMore at a time runs against a cursor.</summary>
public abstract class ServerCursor(string ns)
{
    public long Id { get; internal set; }
    public string Namespace { get; } = ns;

    /// <summary>When the cursor was last opened or continued (Environment.TickCount64), for the idle timeout.</summary>
    public long LastUsedTicks => Interlocked.Read(ref _lastUsedTicks);
    private long _lastUsedTicks = Environment.TickCount64;

    internal void Touch() => Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);

    /// <summary>A lock the caller holds while reading a batch, so concurrent getMores on one cursor are serialised.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The next batch; <paramref name="exhausted"/> says the cursor has nothing more and must be closed.</summary>
    public abstract List<BsonDocument> NextBatch(int? batchSize, TimeSpan? maxAwait, out bool exhausted);

    /// <summary>Fields a reply adds inside its cursor document (change streams add postBatchResumeToken).</summary>
    public virtual void AddCursorFields(BsonDocument cursor)
    {
    }
}
