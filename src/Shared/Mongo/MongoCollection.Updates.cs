using MongoDB.Bson;
using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>Applies <paramref name="update"/> (an update document) to every match; returns how many matched.</summary>
    public Task<long> UpdateManyAsync(BsonDocument filter, BsonDocument update, CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"updating documents in '{Namespace}'", async () =>
        {
            var result = await Native.UpdateManyAsync(Filter(filter), new Driver.BsonDocumentUpdateDefinition<Raw>(update),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.IsAcknowledged ? result.MatchedCount : 0;
        });

    /// <summary>Deletes every match; returns how many were deleted.</summary>
    public Task<long> DeleteManyAsync(BsonDocument filter, CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"deleting documents from '{Namespace}'", async () =>
        {
            var result = await Native.DeleteManyAsync(Filter(filter), cancellationToken).ConfigureAwait(false);
            return result.IsAcknowledged ? result.DeletedCount : 0;
        });
}
