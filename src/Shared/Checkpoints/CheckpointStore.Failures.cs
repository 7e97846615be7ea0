using System.Globalization;
using MongoDB.Bson;

namespace Replication.Checkpoints;

public sealed partial class CheckpointStore
{
    /// <summary>
    /// Marks a stream shard failed: it kept failing at one position and its worker stopped. The mark goes when the
    /// shard's position next moves (a later run got past the cause), or with the table's checkpoints.
    /// </summary>
    public Task MarkShardFailedAsync(string table, string shardId, UnitFailure failure, CheckpointFence? fence = null, CancellationToken cancellationToken = default) =>
        UpdateOneAsync(_shards, Fenced(new BsonDocument { { "_id", ShardDocumentId(table, shardId) } }, fence),
            new BsonDocument { { "$set", new BsonDocument { { "failure", FailureDocument(failure) }, { "updatedAt", Now() } } } },
            upsert: false, cancellationToken);

    /// <summary>Marks a Scan segment of <paramref name="generation"/> failed, as <see cref="MarkShardFailedAsync"/> does a shard.</summary>
    public Task MarkSegmentFailedAsync(string table, int generation, int segment, UnitFailure failure, CheckpointFence? fence = null, CancellationToken cancellationToken = default)
    {
        var path = "fullSync.segments." + segment.ToString(CultureInfo.InvariantCulture);
        return UpdateOneAsync(_tables, Fenced(new BsonDocument { { "_id", table }, { "generation", generation } }, fence, path + ".lease"),
            new BsonDocument { { "$set", new BsonDocument { { path + ".failure", FailureDocument(failure) }, { "updatedAt", Now() } } } },
            upsert: false, cancellationToken);
    }

    private static BsonDocument FailureDocument(UnitFailure failure) => new()
    {
        { "error", failure.Error },
        { "position", failure.Position is null ? BsonNull.Value : failure.Position },
        { "restarts", failure.Restarts },
        { "at", new BsonDateTime(failure.At.ToUnixTimeMilliseconds()) },
    };

    private static UnitFailure? ReadFailure(BsonDocument parent) => parent.GetValue("failure", null) is BsonDocument f
        ? new UnitFailure(CheckpointFields.String(f, "error") ?? "", CheckpointFields.String(f, "position"), (int)CheckpointFields.Long(f, "restarts"),
            CheckpointFields.Time(f, "at") ?? DateTimeOffset.UnixEpoch)
        : null;
}
