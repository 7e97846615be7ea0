using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// A second reference for the full sync: the copy a few lines of driver code make — every collection read as
/// <see cref="PlainFind"/> reads it, each batch inserted into the target by one unordered insertMany, the collections
/// in parallel — with no checkpoints, ranges or actors. The target database is dropped afterwards.
/// </summary>
public static class PlainCopy
{
    private static readonly BsonDocument IdIndex = new("_id", 1);

    public static async Task<(long Documents, TimeSpan Elapsed)> RunAsync(IMongoDatabase source, IMongoDatabase target, IEnumerable<string> collections,
                                                                         int batchSize, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(collections.Select(c => CopyAsync(source.GetCollection<RawBsonDocument>(c), target.GetCollection<RawBsonDocument>(c),
            batchSize, cancellationToken)));
        var elapsed = clock.Elapsed;
        await target.Client.DropDatabaseAsync(target.DatabaseNamespace.DatabaseName, cancellationToken).ConfigureAwait(false);
        return (counts.Sum(), elapsed);
    }

    private static async Task<long> CopyAsync(IMongoCollection<RawBsonDocument> from, IMongoCollection<RawBsonDocument> to, int batchSize,
                                              CancellationToken cancellationToken)
    {
        var options = new FindOptions<RawBsonDocument, RawBsonDocument> { Sort = IdIndex, Hint = IdIndex, BatchSize = batchSize };
        long documents = 0;
        using var cursor = await from.FindAsync(FilterDefinition<RawBsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var batch = cursor.Current.ToList();
            if (batch.Count == 0) continue;
            await to.InsertManyAsync(batch, new InsertManyOptions { IsOrdered = false }, cancellationToken).ConfigureAwait(false);
            documents += batch.Count;
            foreach (var document in batch) document.Dispose();
        }
        return documents;
    }
}
