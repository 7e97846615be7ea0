using System.Collections.Concurrent;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>
/// Retryable writes as a replica-set member keeps them: the reply of each session's latest write (<c>lsid</c> +
/// <c>txnNumber</c>) is remembered, so a driver that retries after losing the reply gets that reply again instead of
/// applying the write twice (an insert would otherwise fail as a duplicate key). An older transaction number than the
/// session's latest is refused, as MongoDB refuses it.
/// </summary>
internal sealed class RetryableWrites
{
    private static readonly HashSet<string> WriteCommands = ["insert", "update", "delete", "findAndModify", "findandmodify"];

    private readonly ConcurrentDictionary<string, SessionWrite> _latest = new();

    /// <summary>The write's session key when it is a retryable write (and not a transaction statement).</summary>
    public static (string Session, long TxnNumber)? Identify(string commandName, BsonDocument command)
    {
        if (!WriteCommands.Contains(commandName) || command.Contains("autocommit")) return null;
        if (command.GetOrNull("lsid") is not BsonDocument { } lsid || lsid.GetOrNull("id") is not BsonBinaryData id) return null;
        long? txnNumber = command.GetOrNull("txnNumber") switch { BsonInt64 l => l.Value, BsonInt32 i => i.Value, _ => null };
        return txnNumber is { } n ? (Convert.ToHexString(id.Bytes), n) : null;
    }

    /// <summary>The reply to give again when this write already ran; throws for a superseded transaction number.</summary>
    public BsonDocument? Replay(string session, long txnNumber)
    {
        if (!_latest.TryGetValue(session, out var latest)) return null;
        if (txnNumber < latest.TxnNumber)
            throw new MongoCommandException(MongoErrorCode.TransactionTooOld,
                $"Cannot start transaction {txnNumber} on session {session} because a newer transaction {latest.TxnNumber} has already started");
        return txnNumber == latest.TxnNumber ? new BsonDocument(latest.Reply.Elements) : null;
    }

    public void Record(string session, long txnNumber, BsonDocument reply) =>
        _latest.AddOrUpdate(session, new SessionWrite(txnNumber, new BsonDocument(reply.Elements)),
            (_, current) => txnNumber >= current.TxnNumber ? new SessionWrite(txnNumber, new BsonDocument(reply.Elements)) : current);

    private sealed record SessionWrite(long TxnNumber, BsonDocument Reply);
}
