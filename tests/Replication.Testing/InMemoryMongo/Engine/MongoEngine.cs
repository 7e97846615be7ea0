using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Commands;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>
/// The in-memory MongoDB server's command engine: takes one OP_MSG command and returns its complete reply, as a
/// MongoDB 6.0 primary of a one-node replica set would. The wire layer owns sockets and framing; this owns meaning.
/// </summary>
public sealed class MongoEngine
{
    private static readonly BsonDocument ZeroSignature = new()
    {
        { "hash", new BsonBinaryData(new byte[20]) },
        { "keyId", 0L },
    };

    private readonly CommandRegistry _commands = CommandRegistry.Default();
    private readonly RetryableWrites _retryableWrites = new();

    public MongoEngine(MongoEngineOptions? options = null) => Instance = new MongoInstance(options ?? new MongoEngineOptions());

    /// <summary>The server's state, for tests and tools that inspect or seed it directly.</summary>
    public MongoInstance Instance { get; }

    /// <summary>
    /// Runs <paramref name="command"/> (the OP_MSG body, including <c>$db</c>); <paramref name="sequences"/> are the
    /// kind-1 sections, merged in as array fields. Never throws for a command error: it becomes {ok: 0, errmsg, code, codeName}.
    /// </summary>
    public BsonDocument Execute(BsonDocument command, IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>>? sequences, CommandContext context)
    {
        BsonDocument reply;
        try
        {
            reply = Run(command, sequences, context);
            reply["ok"] = 1.0;
            Instance.WriteConcernFaults.Apply(command.GetElement(0).Name, reply);
        }
        catch (MongoCommandException e)
        {
            reply = ErrorReply(e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reply = ErrorReply(new MongoCommandException(MongoErrorCode.InternalError, $"in-memory server failure: {e.Message}"));
        }
        var time = Instance.Clock.Current;
        reply["$clusterTime"] = new BsonDocument { { "clusterTime", time }, { "signature", ZeroSignature } };
        reply["operationTime"] = time;
        return reply;
    }

    private BsonDocument Run(BsonDocument command, IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>>? sequences, CommandContext context)
    {
        if (command.ElementCount == 0) throw MongoCommandException.FailedToParse("Empty command object");
        var name = command.GetElement(0).Name;
        TransactionRefusal.Check(name, command);
        if (!_commands.TryGet(name, out var handler))
            throw new MongoCommandException(MongoErrorCode.CommandNotFound, $"no such command: '{name}'");
        var database = command.GetOrNull("$db") is BsonString db ? db.Value
            : throw new MongoCommandException(MongoErrorCode.FailedToParse, "OP_MSG requests require a $db argument");
        Instance.WriteRefusals.Check(command);
        var retryable = RetryableWrites.Identify(name, command);
        if (retryable is { } write && _retryableWrites.Replay(write.Session, write.TxnNumber) is { } earlier) return earlier;
        var merged = sequences is { Count: > 0 } ? Merge(command, sequences) : command;
        var reply = handler.Execute(new CommandInvocation(merged, database, context, Instance));
        if (retryable is { } done) _retryableWrites.Record(done.Session, done.TxnNumber, reply);
        return reply;
    }

    private static BsonDocument Merge(BsonDocument command, IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>> sequences)
    {
        var merged = new BsonDocument(command.Elements);
        foreach (var (identifier, documents) in sequences)
        {
            if (merged.Contains(identifier))
                throw MongoCommandException.BadValue($"Duplicate field '{identifier}' in the command body and a document sequence");
            merged.Add(identifier, new BsonArray(documents));
        }
        return merged;
    }

    internal static BsonDocument ErrorReply(MongoCommandException e)
    {
        var reply = new BsonDocument
        {
            { "ok", 0.0 },
            { "errmsg", e.Message },
            { "code", (int)e.Code },
            { "codeName", e.CodeName },
        };
        if (e.ExtraInfo is not null)
            foreach (var (name, value) in e.ExtraInfo) reply[name] = value;
        if (e.ErrorLabels.Count > 0) reply["errorLabels"] = new BsonArray(e.ErrorLabels.Select(l => (BsonValue)l));
        return reply;
    }
}
