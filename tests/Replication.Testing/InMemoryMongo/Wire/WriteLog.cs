using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>
/// Every write command the server ran, in order, with the <c>appName</c> its connection gave in the handshake — so a
/// test can tell which client (which node) wrote what, and whether the write matched anything.
/// </summary>
public sealed class WriteLog
{
    private static readonly HashSet<string> WriteCommands = new(StringComparer.Ordinal) { "insert", "update", "delete", "findAndModify", "findandmodify", "drop" };
    private readonly Lock _gate = new();
    private readonly List<RecordedWrite> _writes = [];

    /// <summary>The writes so far; <see cref="RecordedWrite.Sequence"/> counts from 1, so a count taken earlier marks a point in time.</summary>
    public IReadOnlyList<RecordedWrite> Snapshot()
    {
        lock (_gate) return _writes.ToArray();
    }

    public int Count
    {
        get
        {
            lock (_gate) return _writes.Count;
        }
    }

    internal void Record(string? appName, BsonDocument command, BsonDocument reply)
    {
        if (command.ElementCount == 0 || !WriteCommands.Contains(command.GetElement(0).Name)) return;
        var name = command.GetElement(0).Name;
        var database = command.GetValue("$db", "admin").ToString()!;
        var collection = command[0] is BsonString c ? c.Value : "";
        var affected = name is "findAndModify" or "findandmodify"
            ? reply.GetValue("lastErrorObject", new BsonDocument()).AsBsonDocument.GetValue("n", 0).ToInt64()
            : reply.GetValue("n", 0).ToInt64();
        // An update that matched a document but left it as it was (say, a flag set again) changed nothing.
        var changed = name == "update"
            ? reply.GetValue("nModified", 0).ToInt64() + (reply.GetValue("upserted", null) is BsonArray upserted ? upserted.Count : 0)
            : affected;
        lock (_gate) _writes.Add(new RecordedWrite(_writes.Count + 1, appName, database, collection, name, affected, DateTimeOffset.UtcNow) { Changed = changed });
    }
}

/// <param name="Affected">The reply's <c>n</c>: documents inserted, matched or deleted (0 for a conditional write that matched nothing).</param>
public sealed record RecordedWrite(long Sequence, string? AppName, string Database, string Collection, string Command, long Affected, DateTimeOffset At)
{
    /// <summary>Documents the write changed: for an update, <c>nModified</c> plus upserts; otherwise <see cref="Affected"/>.</summary>
    public long Changed { get; init; }
}
