using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Checkpoints;

/// <summary>
/// The checkpoint database: <c>tables</c>, <c>shards</c> and the dead-letter collection (cluster collections come with
/// the cluster). Every position write is a single conditional update, so a crash leaves either the old or the new
/// position, and a stale writer is refused rather than obeyed.
/// </summary>
public sealed partial class CheckpointStore(IMongoDatabase database, string deadLetterCollection = "deadletters", TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _tables = database.GetCollection<BsonDocument>("tables");
    private readonly IMongoCollection<BsonDocument> _shards = database.GetCollection<BsonDocument>("shards");
    private readonly IMongoCollection<BsonDocument> _deadLetters = database.GetCollection<BsonDocument>(deadLetterCollection);

    public IMongoDatabase Database => database;

    /// <summary>The default checkpoint database name for a replication id.</summary>
    public static string DatabaseNameFor(string replicationId) => $"{replicationId}_checkpoint";

    public async Task EnsureIndexesAsync(CancellationToken cancellationToken = default)
    {
        await _shards.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument { { "table", 1 }, { "shardId", 1 } }),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await _deadLetters.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument { { "table", 1 }, { "at", 1 } }),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private BsonDateTime Now() => new(_clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>One update (the checkpoint and cluster stores' conditional writes); returns how many documents matched or were upserted.</summary>
    internal static async Task<long> UpdateOneAsync(IMongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument update, bool upsert, CancellationToken cancellationToken)
    {
        var result = await collection.BulkWriteAsync(
            [new UpdateOneModel<BsonDocument>(filter, update) { IsUpsert = upsert }],
            new BulkWriteOptions { IsOrdered = true },
            cancellationToken).ConfigureAwait(false);
        return result.MatchedCount + result.Upserts.Count;
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
