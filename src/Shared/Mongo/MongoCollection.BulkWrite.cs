using MongoDB.Bson;
using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    // MongoDB's limit on a stored document (maxBsonObjectSize), when the server has not told us yet.
    private const int DefaultMaxDocumentSize = 16 * 1024 * 1024;
    private const int BsonObjectTooLarge = 10334;

    /// <summary>
    /// Sends <paramref name="requests"/> as one driver bulk write (split into server batches by the driver). Throws
    /// <see cref="MongoBulkWriteException"/> when any item failed — with an unordered bulk the other items are applied
    /// and the exception's <c>Result</c> counts them — and <see cref="MongoConnectionException"/> when the server
    /// could not be reached or the connection broke (what was applied is then unknown).
    /// A document over the server's size limit is not sent: it becomes a write error at its index (code 10334).
    /// </summary>
    public async Task<BulkWriteResult> BulkWriteAsync(IReadOnlyList<WriteModel> requests, BulkWriteOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        options ??= new BulkWriteOptions();
        if (requests.Count == 0) return BulkWriteResult.Empty;

        var maxSize = MaxDocumentSize();
        var models = new List<Driver.WriteModel<Raw>>(requests.Count);
        var sent = new List<int>(requests.Count);
        var rejected = new List<BulkWriteError>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (Oversized(requests[i], maxSize) is { } size)
            {
                rejected.Add(new BulkWriteError(i, BsonObjectTooLarge,
                    $"document is {size} bytes, over MongoDB's {maxSize}-byte limit (maxBsonObjectSize); not sent"));
                if (options.IsOrdered) break;
                continue;
            }
            models.Add(ToDriver(requests[i], i));
            sent.Add(i);
        }
        if (models.Count == 0) throw BulkFailure(BulkWriteResult.Empty, rejected, [], []);

        var operation = $"bulk write on '{Namespace}'";
        var driverOptions = new Driver.BulkWriteOptions { IsOrdered = options.IsOrdered, BypassDocumentValidation = options.BypassDocumentValidation ? true : null };
        BulkWriteResult result;
        try
        {
            result = Counts(await Native.BulkWriteAsync(models, driverOptions, cancellationToken).ConfigureAwait(false), sent);
        }
        catch (Driver.MongoBulkWriteException<Raw> e)
        {
            var writeErrors = e.WriteErrors.Select(w => new BulkWriteError(Map(sent, w.Index), w.Code, w.Message));
            var concernErrors = e.WriteConcernError is { } wce ? [new WriteConcernError(wce.Code, wce.CodeName, wce.Message)] : new List<WriteConcernError>();
            throw BulkFailure(Counts(e.Result, sent), rejected.Concat(writeErrors).OrderBy(w => w.Index).ToList(), concernErrors, e.ErrorLabels.ToList());
        }
        catch (Exception e) when (MongoErrorTranslator.IsDriverFailure(e))
        {
            throw Client.Translate(e, operation);
        }
        if (rejected.Count > 0) throw BulkFailure(result, rejected, [], []);
        return result;
    }

    public Task<BulkWriteResult> InsertManyAsync(IEnumerable<ReadOnlyMemory<byte>> documents, BulkWriteOptions? options = null,
        CancellationToken cancellationToken = default) =>
        BulkWriteAsync(documents.Select(d => (WriteModel)new InsertOneModel(d)).ToList(), options, cancellationToken);

    public Task<BulkWriteResult> InsertOneAsync(BsonDocument document, CancellationToken cancellationToken = default) =>
        BulkWriteAsync([new InsertOneModel(document.ToBson())], new BulkWriteOptions { IsOrdered = true }, cancellationToken);

    private static Driver.WriteModel<Raw> ToDriver(WriteModel request, int index) => request switch
    {
        InsertOneModel insert => new Driver.InsertOneModel<Raw>(RawDocuments.From(insert.Document)),
        ReplaceOneModel replace => new Driver.ReplaceOneModel<Raw>(Filter(replace.Filter), RawDocuments.From(replace.Replacement)) { IsUpsert = replace.IsUpsert },
        UpdateOneModel update => new Driver.UpdateOneModel<Raw>(Filter(update.Filter), Update(update.Update)) { IsUpsert = update.IsUpsert },
        DeleteOneModel delete => new Driver.DeleteOneModel<Raw>(Filter(delete.Filter)),
        _ => throw new ArgumentException($"Unsupported write model {request.GetType().Name} at index {index}.", nameof(request)),
    };

    private static Driver.UpdateDefinition<Raw> Update(ReadOnlyMemory<byte> update) => new Driver.BsonDocumentUpdateDefinition<Raw>(RawDocuments.From(update));

    private static int? Oversized(WriteModel request, int maxSize)
    {
        var document = request switch
        {
            InsertOneModel insert => insert.Document,
            ReplaceOneModel replace => replace.Replacement,
            _ => ReadOnlyMemory<byte>.Empty,
        };
        return document.Length > maxSize ? document.Length : null;
    }

    /// <summary>The primary's maxBsonObjectSize once the driver has heard from it.</summary>
    private int MaxDocumentSize()
    {
        foreach (var server in Client.Cluster.Servers)
            if (server.IsDataBearing && server.MaxDocumentSize > 0) return server.MaxDocumentSize;
        return DefaultMaxDocumentSize;
    }

    private static int Map(IReadOnlyList<int> sent, int driverIndex) =>
        driverIndex >= 0 && driverIndex < sent.Count ? sent[driverIndex] : driverIndex;

    private static BulkWriteResult Counts(Driver.BulkWriteResult<Raw>? result, IReadOnlyList<int> sent)
    {
        if (result is null || !result.IsAcknowledged) return BulkWriteResult.Empty;
        var upserts = result.Upserts.Select(u => new BulkWriteUpsert(Map(sent, u.Index), u.Id)).ToList();
        return new BulkWriteResult(result.InsertedCount, result.MatchedCount, result.IsModifiedCountAvailable ? result.ModifiedCount : 0,
            result.DeletedCount, upserts.Count, upserts);
    }

    private MongoBulkWriteException BulkFailure(BulkWriteResult result, IReadOnlyList<BulkWriteError> writeErrors,
        IReadOnlyList<WriteConcernError> writeConcernErrors, IReadOnlyList<string> labels)
    {
        var first = writeErrors.Count > 0
            ? $"first at index {writeErrors[0].Index}: code {writeErrors[0].Code}, {writeErrors[0].Message}"
            : writeConcernErrors.Count > 0 ? $"write concern error: {writeConcernErrors[0].Message}" : "no details";
        var message = $"bulk write on '{Namespace}': {writeErrors.Count} write error(s), {writeConcernErrors.Count} write concern error(s); {first}";
        var code = writeErrors.Count > 0 ? writeErrors[0].Code : writeConcernErrors.Count > 0 ? writeConcernErrors[0].Code : 0;
        return new MongoBulkWriteException(message, code, labels, result, writeErrors, writeConcernErrors);
    }
}
