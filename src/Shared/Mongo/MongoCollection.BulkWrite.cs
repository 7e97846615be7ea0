using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>
    /// Sends <paramref name="requests"/> as one libmongoc bulk (split into server batches by libmongoc). Throws
    /// <see cref="MongoBulkWriteException"/> when any item failed — with an unordered bulk the other items are applied
    /// and the exception's <c>Result</c> counts them — and <see cref="MongoConnectionException"/> when the server
    /// could not be reached or the connection broke (what was applied is then unknown).
    /// A document libmongoc refuses before sending (e.g. an invalid key) becomes a write error at its index.
    /// </summary>
    public Task<BulkWriteResult> BulkWriteAsync(IReadOnlyList<WriteModel> requests, BulkWriteOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        options ??= new BulkWriteOptions();
        if (requests.Count == 0) return Task.FromResult(BulkWriteResult.Empty);
        var bulkOptions = BulkOptionsBytes(options);
        return RunAsync(collection => BulkWriteExecution.Execute(collection, requests, options, bulkOptions, Namespace), cancellationToken);
    }

    public Task<BulkWriteResult> InsertManyAsync(IEnumerable<ReadOnlyMemory<byte>> documents, BulkWriteOptions? options = null,
        CancellationToken cancellationToken = default) =>
        BulkWriteAsync(documents.Select(d => (WriteModel)new InsertOneModel(d)).ToList(), options, cancellationToken);

    public Task<BulkWriteResult> InsertOneAsync(BsonDocument document, CancellationToken cancellationToken = default) =>
        BulkWriteAsync([new InsertOneModel(document.ToBytes())], new BulkWriteOptions { IsOrdered = true }, cancellationToken);

    private static byte[] BulkOptionsBytes(BulkWriteOptions options)
    {
        var document = new BsonDocument { { "ordered", options.IsOrdered } };
        if (options.WriteConcern is { } writeConcern) document.Add("writeConcern", writeConcern);
        if (options.BypassDocumentValidation) document.Add("bypassDocumentValidation", true);
        return document.ToBytes();
    }
}
