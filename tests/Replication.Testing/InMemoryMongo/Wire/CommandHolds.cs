using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>
/// Lets a test stop a command at the server's door, for kill tests: the first command a <see cref="Hold"/> matches is
/// announced and not run; its connection waits until the test drops it, then is cut without an answer — as if the
/// client had died just before the command reached the server. Nothing is held unless a test asks.
/// </summary>
public sealed class CommandHolds
{
    private readonly Lock _gate = new();
    private readonly List<HeldCommand> _armed = [];

    /// <summary>
    /// Arms a hold. <paramref name="match"/> sees every command in arrival order (one call at a time), as
    /// (database, command with its document sequences merged in), until it answers true once. With
    /// <paramref name="appName"/>, only commands of clients that gave that appName in their handshake are seen.
    /// </summary>
    public HeldCommand Hold(Func<string, BsonDocument, bool> match, string? appName = null)
    {
        var hold = new HeldCommand(match, appName);
        lock (_gate) _armed.Add(hold);
        return hold;
    }

    internal HeldCommand? Take(WireRequest request, string? appName)
    {
        lock (_gate)
        {
            if (_armed.Count == 0) return null;
            var database = request.Command.GetOrNull("$db") is BsonString db ? db.Value : "admin";
            var command = new BsonDocument(request.Command.Elements);
            foreach (var (identifier, documents) in request.Sequences ?? new Dictionary<string, IReadOnlyList<BsonDocument>>())
                command[identifier] = new BsonArray(documents);
            var hold = _armed.FirstOrDefault(h => (h.AppName is null || h.AppName == appName) && h.Match(database, command));
            if (hold is null) return null;
            _armed.Remove(hold);
            hold.Reach(database, command);
            return hold;
        }
    }
}

/// <summary>One armed hold: <see cref="Reached"/> says which command it stopped; <see cref="Drop"/> cuts its connection.</summary>
public sealed class HeldCommand(Func<string, BsonDocument, bool> match, string? appName = null)
{
    private readonly TaskCompletionSource<(string Database, BsonDocument Command)> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Func<string, BsonDocument, bool> Match { get; } = match;

    internal string? AppName { get; } = appName;

    /// <summary>Completes when a command was stopped, with its database and body.</summary>
    public Task<(string Database, BsonDocument Command)> Reached => _reached.Task;

    internal Task Dropped => _dropped.Task;

    /// <summary>The held command is never run; its connection is cut.</summary>
    public void Drop() => _dropped.TrySetResult();

    internal void Reach(string database, BsonDocument command) => _reached.TrySetResult((database, command));
}
