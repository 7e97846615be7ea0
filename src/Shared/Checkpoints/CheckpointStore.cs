using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Checkpoints;

/// <summary>
/// The checkpoint database: <c>tables</c>, <c>shards</c> and the dead-letter collection (cluster collections come with
/// the cluster). Every position write is a single conditional update, so a crash leaves either the old or the new
/// position, and a stale writer is refused rather than obeyed.
/// </summary>
public sealed partial class CheckpointStore(MongoDatabase database, string deadLetterCollection = "deadletters", TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly MongoCollection _tables = database.GetCollection("tables");
    private readonly MongoCollection _shards = database.GetCollection("shards");
    private readonly MongoCollection _deadLetters = database.GetCollection(deadLetterCollection);

    public MongoDatabase Database => database;

    /// <summary>The default checkpoint database name for a replication id.</summary>
    public static string DatabaseNameFor(string replicationId) => $"{replicationId}_checkpoint";

    public async Task EnsureIndexesAsync(CancellationToken cancellationToken = default)
    {
        await _shards.CreateIndexAsync(new IndexModel(new BsonDocument { { "table", 1 }, { "shardId", 1 } }), cancellationToken).ConfigureAwait(false);
        await _deadLetters.CreateIndexAsync(new IndexModel(new BsonDocument { { "table", 1 }, { "at", 1 } }), cancellationToken).ConfigureAwait(false);
    }

    private BsonDateTime Now() => new(_clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>One update (the checkpoint and cluster stores' conditional writes); returns how many documents matched or were upserted.</summary>
    internal static async Task<long> UpdateOneAsync(MongoCollection collection, BsonDocument filter, BsonDocument update, bool upsert, CancellationToken cancellationToken)
    {
        var result = await collection.BulkWriteAsync(
            [new UpdateOneModel(filter.ToBson(), update.ToBson(), upsert)],
            new BulkWriteOptions { IsOrdered = true },
            cancellationToken).ConfigureAwait(false);
        return result.MatchedCount + result.UpsertedCount;
    }

    /// <summary>Adds the writer's lease to a write's filter: the write matches nothing once the lease changed hands.</summary>
    private static BsonDocument Fenced(BsonDocument filter, CheckpointFence? fence, string leasePath = "lease")
    {
        if (fence is null) return filter;
        filter.Add(leasePath + ".owner", fence.Owner);
        filter.Add(leasePath + ".counter", fence.Counter);
        return filter;
    }
}
