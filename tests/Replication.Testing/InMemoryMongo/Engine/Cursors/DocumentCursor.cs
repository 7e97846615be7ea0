using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Cursors;

/// <summary>
/// A cursor over a result computed up front (stored documents are immutable, so the snapshot is consistent).
/// Without a batch size a batch is cut near 16 MiB, as MongoDB does for getMore.
/// </summary>
public sealed class DocumentCursor(string ns, IReadOnlyList<BsonDocument> results) : ServerCursor(ns)
{
    private const int MaxBatchBytes = BsonSize.MaxDocumentSize;
    private int _next;

    public override List<BsonDocument> NextBatch(int? batchSize, TimeSpan? maxAwait, out bool exhausted)
    {
        var batch = new List<BsonDocument>();
        var bytes = 0;
        while (_next < results.Count && (batchSize is null || batch.Count < batchSize))
        {
            var doc = results[_next];
            var size = BsonSize.Of(doc);
            if (batch.Count > 0 && bytes + size > MaxBatchBytes) break;
            batch.Add(doc);
            bytes += size;
            _next++;
        }
        exhausted = _next >= results.Count;
        return batch;
    }
}
