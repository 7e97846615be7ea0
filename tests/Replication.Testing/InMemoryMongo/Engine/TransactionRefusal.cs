using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>
/// The in-memory server has no multi-document transactions. Rather than apply a transaction's writes at once (so an
/// abort could not undo them), it refuses the first statement — the one with <c>startTransaction</c> — before doing
/// anything, and answers later statements, commit and abort as MongoDB answers for a transaction that does not exist.
/// Retryable writes (lsid + txnNumber without <c>autocommit</c>) are not transactions and pass.
/// </summary>
internal static class TransactionRefusal
{
    public static void Check(string commandName, BsonDocument command)
    {
        if (command.GetOrNull("startTransaction") is BsonBoolean { Value: true })
            throw new MongoCommandException(MongoErrorCode.IllegalOperation,
                $"Multi-document transactions are not supported by the in-memory MongoDB test server: '{commandName}' with startTransaction was refused and nothing was written");
        if (command.GetOrNull("autocommit") is BsonBoolean { Value: false })
            throw new MongoCommandException(MongoErrorCode.NoSuchTransaction,
                $"Given transaction number {TransactionNumber(command)} does not match any in-progress transactions. The active transaction number is -1");
    }

    private static string TransactionNumber(BsonDocument command) => command.GetOrNull("txnNumber") switch
    {
        BsonInt64 l => l.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BsonInt32 i => i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "(none)",
    };
}
