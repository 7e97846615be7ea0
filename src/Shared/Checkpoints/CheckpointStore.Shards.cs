using MongoDB.Bson;
using Replication.Dynamo;
using MongoDB.Driver;

namespace Replication.Checkpoints;

public sealed partial class CheckpointStore
{
    // Sequence numbers are at most 40 digits; zero-padded to that width they order as text exactly as they do as
    // numbers, which lets the server itself refuse a position that would go backwards.
    private const int SequenceKeyWidth = 40;

    public static string ShardDocumentId(string table, string shardId) => $"{table}|{shardId}";

    public static string SequenceKey(SequenceNumber sequenceNumber) => sequenceNumber.ToString().PadLeft(SequenceKeyWidth, '0');

    /// <param name="shardIds">Only these shards; null for all of the table's (finished ones pile up over weeks).</param>
    public async Task<IReadOnlyList<ShardCheckpoint>> ListShardsAsync(string table, CancellationToken cancellationToken = default, IReadOnlyCollection<string>? shardIds = null)
    {
        var filter = new BsonDocument { { "table", table } };
        if (shardIds is not null)
        {
            var ids = new BsonArray();
            foreach (var id in shardIds) ids.Add(id);
            filter.Add("shardId", new BsonDocument { { "$in", ids } });
        }
        var found = await _shards.Find(filter).Sort(new BsonDocument { { "shardId", 1 } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Select(ReadShard).ToArray();
    }

    public async Task<ShardCheckpoint?> GetShardAsync(string table, string shardId, CancellationToken cancellationToken = default)
    {
        var found = await _shards.Find(new BsonDocument { { "_id", ShardDocumentId(table, shardId) } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : ReadShard(found[0]);
    }

    /// <summary>Creates the shard's checkpoint with <paramref name="initialStatus"/> if it has none; an existing one is left alone.</summary>
    public Task RegisterShardAsync(string table, string streamArn, string shardId, string? parentShardId, ShardStatus initialStatus, CancellationToken cancellationToken = default)
    {
        var update = new BsonDocument
        {
            { "$setOnInsert", new BsonDocument
                {
                    { "table", table },
                    { "streamArn", streamArn },
                    { "shardId", shardId },
                    { "parentShardId", parentShardId is null ? BsonNull.Value : parentShardId },
                    { "status", initialStatus.ToString() },
                    { "startSequenceNumber", BsonNull.Value },
                    { "sequenceNumber", BsonNull.Value },
                    { "approximateTime", BsonNull.Value },
                    { "recordsApplied", 0L },
                    { "updatedAt", Now() },
                    { "leasable", false },
                    { "lease", FreeLease() },
                }
            },
        };
        return UpdateOneAsync(_shards, new BsonDocument { { "_id", ShardDocumentId(table, shardId) } }, update, upsert: true, cancellationToken);
    }

    /// <summary>Lets any node of the cluster take these shards: their table is in incremental sync and their parents are finished.</summary>
    public async Task MarkShardsLeasableAsync(string table, IReadOnlyCollection<string> shardIds, CancellationToken cancellationToken = default)
    {
        if (shardIds.Count == 0) return;
        var ids = new BsonArray();
        foreach (var id in shardIds) ids.Add(ShardDocumentId(table, id));
        await _shards.UpdateManyAsync(
            new BsonDocument { { "_id", new BsonDocument { { "$in", ids } } } },
            new BsonDocument { { "$set", new BsonDocument { { "leasable", true } } } },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// In a cluster, when the table stops (incremental.on-trimmed-data = stop): none of its shards may be taken any more,
    /// and the leases held are revoked, so their holders' next renewal and next position write are refused and they stop.
    /// </summary>
    public Task WithdrawShardsAsync(string table, CancellationToken cancellationToken = default) =>
        _shards.UpdateManyAsync(new BsonDocument { { "table", table } },
            new BsonDocument { { "$set", new BsonDocument { { "leasable", false }, { "lease.owner", BsonNull.Value }, { "lease.expiresAt", BsonNull.Value }, { "updatedAt", Now() } } } },
            cancellationToken: cancellationToken);

    /// <summary>Saves where incremental sync will start (inclusive), learned before the full sync began.</summary>
    public async Task SaveStartPositionAsync(string table, string shardId, SequenceNumber start, CheckpointFence? fence = null, CancellationToken cancellationToken = default)
    {
        var filter = Fenced(new BsonDocument
        {
            { "_id", ShardDocumentId(table, shardId) },
            { "status", new BsonDocument { { "$in", new BsonArray { nameof(ShardStatus.NotStarted), nameof(ShardStatus.Prepared) } } } },
        }, fence);
        var update = new BsonDocument
        {
            { "$set", new BsonDocument { { "status", nameof(ShardStatus.Prepared) }, { "startSequenceNumber", start.ToString() }, { "updatedAt", Now() } } },
        };
        if (await UpdateOneAsync(_shards, filter, update, upsert: false, cancellationToken).ConfigureAwait(false) == 0)
            throw new CheckpointConflictException($"table '{table}' shard {shardId}: its start position can only be set before it is processed");
    }

    /// <summary>
    /// Saves the last applied record of a shard. Refused (CheckpointConflictException) when it would move the position
    /// backwards or when <paramref name="fence"/> no longer holds; saving the same position again is accepted.
    /// </summary>
    public async Task SaveShardPositionAsync(string table, string shardId, SequenceNumber lastApplied, DateTimeOffset? approximateTime, long recordsApplied,
        CheckpointFence? fence = null, CancellationToken cancellationToken = default)
    {
        var key = SequenceKey(lastApplied);
        var filter = Fenced(new BsonDocument
        {
            { "_id", ShardDocumentId(table, shardId) },
            { "status", new BsonDocument { { "$nin", new BsonArray { nameof(ShardStatus.Done), nameof(ShardStatus.Skipped) } } } },
            { "$or", new BsonArray
                {
                    new BsonDocument { { "sequenceKey", new BsonDocument { { "$exists", false } } } },
                    new BsonDocument { { "sequenceKey", new BsonDocument { { "$lte", key } } } },
                }
            },
        }, fence);
        var set = new BsonDocument
        {
            { "status", nameof(ShardStatus.Processing) },
            { "sequenceNumber", lastApplied.ToString() },
            { "sequenceKey", key },
            { "updatedAt", Now() },
        };
        if (approximateTime is { } t) set.Add("approximateTime", new BsonDateTime(t.ToUnixTimeMilliseconds()));
        // A position that moves means whatever stopped the shard before is behind it.
        var update = new BsonDocument { { "$set", set }, { "$inc", new BsonDocument { { "recordsApplied", recordsApplied } } }, { "$unset", new BsonDocument { { "failure", "" } } } };
        if (await UpdateOneAsync(_shards, filter, update, upsert: false, cancellationToken).ConfigureAwait(false) == 0)
            throw new CheckpointConflictException($"table '{table}' shard {shardId}: position {lastApplied} was refused (it is behind the saved position, the shard is finished, or this node lost its lease)");
    }

    /// <summary>Marks a shard finished: Done after its last record was applied, Skipped when the full sync covered it.</summary>
    public async Task FinishShardAsync(string table, string shardId, ShardStatus finalStatus, CheckpointFence? fence = null, CancellationToken cancellationToken = default)
    {
        if (finalStatus is not (ShardStatus.Done or ShardStatus.Skipped)) throw new ArgumentOutOfRangeException(nameof(finalStatus), "a shard finishes as Done or Skipped");
        var update = new BsonDocument { { "$set", new BsonDocument { { "status", finalStatus.ToString() }, { "updatedAt", Now() } } } };
        if (await UpdateOneAsync(_shards, Fenced(new BsonDocument { { "_id", ShardDocumentId(table, shardId) } }, fence), update, upsert: false, cancellationToken).ConfigureAwait(false) == 0)
            throw new CheckpointConflictException($"table '{table}' shard {shardId}: cannot be marked {finalStatus} (no checkpoint, or this node lost its lease)");
    }

    private Task DeleteShardsAsync(string table, CancellationToken cancellationToken) =>
        _shards.DeleteManyAsync(new BsonDocument { { "table", table } }, cancellationToken);

    internal static ShardCheckpoint ReadShard(BsonDocument doc) => new(
        Table: CheckpointFields.String(doc, "table")!,
        StreamArn: CheckpointFields.String(doc, "streamArn") ?? "",
        ShardId: CheckpointFields.String(doc, "shardId")!,
        ParentShardId: CheckpointFields.String(doc, "parentShardId"),
        Status: Enum.Parse<ShardStatus>(CheckpointFields.String(doc, "status") ?? nameof(ShardStatus.NotStarted)),
        StartSequenceNumber: ReadSequence(doc, "startSequenceNumber"),
        SequenceNumber: ReadSequence(doc, "sequenceNumber"),
        ApproximateTime: CheckpointFields.Time(doc, "approximateTime"),
        RecordsApplied: CheckpointFields.Long(doc, "recordsApplied"),
        UpdatedAt: CheckpointFields.Time(doc, "updatedAt") ?? DateTimeOffset.UnixEpoch)
    {
        Leasable = doc.GetValue("leasable", null) is BsonBoolean { Value: true },
        Lease = CheckpointFields.Lease(doc),
        Failure = ReadFailure(doc),
    };

    private static SequenceNumber? ReadSequence(BsonDocument doc, string name) =>
        SequenceNumber.TryParse(CheckpointFields.String(doc, name), out var s) ? s : null;
}
