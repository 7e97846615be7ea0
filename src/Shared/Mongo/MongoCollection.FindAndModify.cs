using MongoDB.Bson;
using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>findAndModify through the driver's FindOneAndUpdate / FindOneAndReplace / FindOneAndDelete (retryable writes).</summary>
    public Task<FindAndModifyResult> FindAndModifyAsync(FindAndModifyRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Remove == (request.Update is not null))
            throw new ArgumentException("A findAndModify needs exactly one of Update and Remove.", nameof(request));
        var filter = Filter(request.Filter);
        var sort = request.Sort is { } s ? new Driver.BsonDocumentSortDefinition<Raw>(s) : null;
        var projection = request.Projection is { } p ? new Driver.BsonDocumentProjectionDefinition<Raw, Raw>(p) : null;
        var returnDocument = request.ReturnNew ? Driver.ReturnDocument.After : Driver.ReturnDocument.Before;
        return Client.GuardAsync($"findAndModify on '{Namespace}'", async () =>
        {
            Raw? document;
            if (request.Remove)
            {
                document = await Native.FindOneAndDeleteAsync(filter,
                    new Driver.FindOneAndDeleteOptions<Raw> { Sort = sort, Projection = projection }, cancellationToken).ConfigureAwait(false);
            }
            else if (request.Update!.ElementCount > 0 && request.Update.GetElement(0).Name.StartsWith('$'))
            {
                document = await Native.FindOneAndUpdateAsync(filter, new Driver.BsonDocumentUpdateDefinition<Raw>(request.Update),
                    new Driver.FindOneAndUpdateOptions<Raw>
                    {
                        Sort = sort, Projection = projection, IsUpsert = request.Upsert, ReturnDocument = returnDocument,
                    }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                document = await Native.FindOneAndReplaceAsync(filter, new Raw(request.Update.ToBson()),
                    new Driver.FindOneAndReplaceOptions<Raw>
                    {
                        Sort = sort, Projection = projection, IsUpsert = request.Upsert, ReturnDocument = returnDocument,
                    }, cancellationToken).ConfigureAwait(false);
            }
            return new FindAndModifyResult(document is null ? null : RawDocuments.ToDocument(document));
        });
    }
}
