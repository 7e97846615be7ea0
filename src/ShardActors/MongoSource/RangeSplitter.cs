using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Splits a collection into <c>_id</c> ranges of about <c>rangeDocuments</c> documents each, by one pass over the
/// <c>_id</c> index (a covered scan of the keys only). Ranges are [min, max) in index order, so they hold any mix of
/// <c>_id</c> types: the first starts at MinKey and the last ends at MaxKey.
/// </summary>
public static class RangeSplitter
{
    /// <summary>At most this many ranges per collection, whatever its size.</summary>
    public const int MaxRanges = 1000;

    public static async Task<IReadOnlyList<(BsonValue Min, BsonValue Max)>> SplitAsync(IMongoCollection<RawBsonDocument> collection,
        long estimatedDocuments, int rangeDocuments, CancellationToken cancellationToken)
    {
        if (estimatedDocuments <= rangeDocuments) return [(BsonMinKey.Value, BsonMaxKey.Value)];
        var step = Math.Max(rangeDocuments, (long)Math.Ceiling(estimatedDocuments / (double)MaxRanges));
        var bounds = new List<BsonValue>();
        var options = new FindOptions<RawBsonDocument, RawBsonDocument>
        {
            Projection = new BsonDocument("_id", 1),
            Sort = new BsonDocument("_id", 1),
            Hint = new BsonDocument("_id", 1),
            BatchSize = 10_000,
        };
        long seen = 0;
        using var cursor = await collection.FindAsync(FilterDefinition<RawBsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in cursor.Current)
            {
                if (seen > 0 && seen % step == 0) bounds.Add(Materialize(key["_id"]));
                seen++;
            }
        }
        var ranges = new List<(BsonValue, BsonValue)>(bounds.Count + 1);
        BsonValue low = BsonMinKey.Value;
        foreach (var bound in bounds)
        {
            ranges.Add((low, bound));
            low = bound;
        }
        ranges.Add((low, BsonMaxKey.Value));
        return ranges;
    }

    private static BsonValue Materialize(BsonValue value) => BsonDocumentCopy.Of(value);
}
