using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Documents and changes the target refused (too large, a validator, a unique index…), kept in the dead-letter collection
/// in the DynamoDB mode's shape (<c>table</c> = source namespace, <c>collection</c> = target namespace, <c>key</c>,
/// <c>phase</c>, <c>error</c>, <c>code</c>, <c>at</c>, <c>document</c> as the raw BSON bytes), plus the change's
/// <c>operation</c>. The caller moves its checkpoint past a refused write only once its letter is stored.
/// </summary>
public sealed class MongoDeadLetters(IMongoCollection<BsonDocument> collection, ReplicationMetrics metrics, ILogger logger)
{
    // A dead letter must itself be writable: past this size the document is recorded without its body.
    private const int MaxStoredDocumentBytes = 15 * 1024 * 1024;

    /// <param name="phase">"full-sync" or "incremental", as for DynamoDB.</param>
    /// <param name="document">The refused document (a copy's document, an insert's or replace's full document), if any.</param>
    public async Task AddAsync(string phase, string sourceNamespace, string targetNamespace, BsonValue key, string operation, BulkWriteError error,
        RawBsonDocument? document, CancellationToken cancellationToken)
    {
        logger.LogError("{Phase}: {Operation} of {Namespace} _id {Key} refused by the target {Target}: {Error}; kept in the dead letters",
            phase, operation, sourceNamespace, key, targetNamespace, error.Message);
        var letter = new BsonDocument
        {
            { "source", "mongodb" }, { "table", sourceNamespace }, { "collection", targetNamespace }, { "key", key.ToString() },
            { "phase", phase }, { "operation", operation }, { "code", error.Code }, { "error", error.Message }, { "at", DateTime.UtcNow },
        };
        if (document is not null)
        {
            var length = document.Slice.Length;
            if (length <= MaxStoredDocumentBytes)
            {
                var bytes = new byte[length];
                document.Slice.GetBytes(0, bytes, 0, length);
                letter["document"] = new BsonBinaryData(bytes);
            }
            else letter["documentBytes"] = length;
        }
        await collection.InsertOneAsync(letter, cancellationToken: cancellationToken).ConfigureAwait(false);
        metrics.DeadLettered(sourceNamespace, 1);
    }

    /// <summary>The dead letters of one source namespace in <paramref name="letters"/> (what `checkpoints list` and /progress show).</summary>
    public static Task<long> CountAsync(IMongoCollection<BsonDocument> letters, string sourceNamespace, CancellationToken cancellationToken) =>
        letters.CountDocumentsAsync(new BsonDocument { { "source", "mongodb" }, { "table", sourceNamespace } }, cancellationToken: cancellationToken);
}
