using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// The source's limit for the copy: every collection read with the official driver, one cursor per collection in
/// parallel, in <c>_id</c> order with the node's batch size (what the node's copier asks of the source), each batch
/// counted and thrown away (no target).
/// </summary>
public static class PlainFind
{
    private static readonly BsonDocument IdIndex = new("_id", 1);

    public static async Task<(long Documents, TimeSpan Elapsed)> RunAsync(IEnumerable<IMongoCollection<RawBsonDocument>> collections, int batchSize,
                                                                         CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(collections.Select(c => ReadAsync(c, batchSize, cancellationToken)));
        return (counts.Sum(), clock.Elapsed);
    }

    private static async Task<long> ReadAsync(IMongoCollection<RawBsonDocument> collection, int batchSize, CancellationToken cancellationToken)
    {
        var options = new FindOptions<RawBsonDocument, RawBsonDocument> { Sort = IdIndex, Hint = IdIndex, BatchSize = batchSize };
        long documents = 0;
        using var cursor = await collection.FindAsync(FilterDefinition<RawBsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var document in cursor.Current)
            {
                documents++;
                document.Dispose();
            }
        }
        return documents;
    }
}
