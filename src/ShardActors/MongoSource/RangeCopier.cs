using System.Threading.RateLimiting;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Cluster;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Copies one <c>_id</c> range of a collection: reads it in <c>_id</c> order as raw BSON (index bounds min/max with a hint,
/// so any mix of <c>_id</c> types is covered), writes each batch as unordered replace-by-<c>_id</c> upserts (a replay after
/// a crash rewrites the same documents), and only then checkpoints the batch's last <c>_id</c>. A restart resumes at that
/// <c>_id</c> (inclusive: one document is written again). A document the target refuses goes to the dead letters before
/// the batch's position is saved, so the position only ever moves past documents written or dead-lettered. Each batch is
/// one unit of the node's <see cref="WorkDrain"/>: once a graceful stop begins no batch starts, and the one begun is
/// written and checkpointed before the stop cancels anything.
/// </summary>
public sealed class RangeCopier(IMongoClient source, IMongoClient target, MongoSyncCheckpoints checkpoints, MongoDeadLetters deadLetters, RateLimiter? limiter,
    int documentsPerSecond, int batchSize, WorkDrain drain)
{
    private static readonly BsonDocument IdIndex = new("_id", 1);

    /// <summary>
    /// Copies what is left of <paramref name="range"/>; <paramref name="copied"/> is told each acknowledged batch's size.
    /// False when the node began to stop before the range's end (its position stays after the last batch written).
    /// </summary>
    /// <param name="fence">A leased range's fence (in a cluster): every target, dead-letter and checkpoint write goes through it.</param>
    public async Task<bool> CopyAsync(RangeCheckpoint range, Action<long> copied, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var from = Namespaces.Parse(range.Namespace);
        var to = Namespaces.Parse(range.Target);
        var sourceCollection = source.GetDatabase(from.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(from.CollectionName);
        var targetCollection = target.GetDatabase(to.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(to.CollectionName);
        var options = new FindOptions<RawBsonDocument, RawBsonDocument> { Sort = IdIndex, Hint = IdIndex, BatchSize = batchSize };
        var start = range.LastId ?? range.Min;
        if (start is not BsonMinKey) options.Min = new BsonDocument("_id", start);
        if (range.Max is not BsonMaxKey) options.Max = new BsonDocument("_id", range.Max);

        using var cursor = await sourceCollection.FindAsync(FilterDefinition<RawBsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var batch = cursor.Current as IReadOnlyList<RawBsonDocument> ?? cursor.Current.ToList();
            if (batch.Count == 0) continue;
            using var inFlight = drain.TryBegin();
            if (inFlight is null)
            {
                foreach (var document in batch) document.Dispose();
                return false; // stopping: this batch is neither written nor past the saved position
            }
            await ThrottleAsync(batch.Count, cancellationToken).ConfigureAwait(false);
            var writes = new List<WriteModel<RawBsonDocument>>(batch.Count);
            foreach (var document in batch)
                writes.Add(new ReplaceOneModel<RawBsonDocument>(new BsonDocument("_id", document["_id"]), document) { IsUpsert = true });
            try
            {
                await fence.GuardAsync(token => targetCollection.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, token), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (MongoBulkWriteException<RawBsonDocument> e) when (e.WriteErrors.Count > 0 && e.WriteConcernError is null)
            {
                // Unordered: every write but the refused ones landed.
                foreach (var error in e.WriteErrors)
                    await fence.GuardAsync(token => deadLetters.AddAsync("full-sync", range.Namespace, range.Target, batch[error.Index]["_id"], "copy", error,
                        batch[error.Index], token), cancellationToken).ConfigureAwait(false);
            }
            // Only now, with the batch acknowledged by the target (or its refused documents dead-lettered), may the range's position move past it.
            var last = BsonDocumentCopy.Of(batch[^1]["_id"]);
            foreach (var document in batch) document.Dispose();
            await fence.GuardAsync(token => checkpoints.SaveRangeProgressAsync(range, last, batch.Count, fence?.Claim, token), cancellationToken).ConfigureAwait(false);
            copied(batch.Count);
        }
        await fence.GuardAsync(token => checkpoints.MarkRangeDoneAsync(range, fence?.Claim, token), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The range as its checkpoint has it now (after a failure, its last acknowledged position).</summary>
    public Task<RangeCheckpoint> ReloadAsync(RangeCheckpoint range, CancellationToken cancellationToken) =>
        checkpoints.LoadRangeAsync(range.Id, cancellationToken);

    private async Task ThrottleAsync(int documents, CancellationToken cancellationToken)
    {
        if (limiter is null) return;
        for (var left = documents; left > 0;)
        {
            var take = Math.Min(left, documentsPerSecond);
            using var lease = await limiter.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            left -= take;
        }
    }

}

/// <summary>Deep copies of values read from raw documents, whose buffers are released with their batch.</summary>
internal static class BsonDocumentCopy
{
    public static BsonValue Of(BsonValue value) => value switch
    {
        RawBsonDocument d => new BsonDocument(d.Elements.Select(e => new BsonElement(e.Name, Of(e.Value)))),
        RawBsonArray a => new BsonArray(a.Values.Select(Of)),
        _ => value,
    };
}

/// <summary>"db.collection" text ↔ <see cref="CollectionNamespace"/> (the database name holds no dot).</summary>
internal static class Namespaces
{
    public static CollectionNamespace Parse(string ns)
    {
        var dot = ns.IndexOf('.');
        return new CollectionNamespace(ns[..dot], ns[(dot + 1)..]);
    }
}
