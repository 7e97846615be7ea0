using System.Globalization;
using MongoDB.Bson;
using Replication.Dynamo.Conversion;
using MongoDB.Driver;

namespace Replication.Checkpoints;

public sealed partial class CheckpointStore
{
    public async Task<TableCheckpoint?> GetTableAsync(string table, CancellationToken cancellationToken = default)
    {
        var found = await _tables.Find(new BsonDocument { { "_id", table } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : ReadTable(found[0]);
    }

    public async Task<IReadOnlyList<TableCheckpoint>> ListTablesAsync(CancellationToken cancellationToken = default)
    {
        var found = await _tables.Find(new BsonDocument()).Sort(new BsonDocument { { "_id", 1 } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Select(ReadTable).ToArray();
    }

    /// <summary>Records what discovery learned; creates the table's state on first sight and never touches positions.</summary>
    public Task RegisterTableAsync(TableRegistration registration, CancellationToken cancellationToken = default)
    {
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { "collection", registration.Collection },
                    { "keySchema", KeySchemaDocument(registration.KeySchema) },
                    { "streamArn", registration.StreamArn is null ? BsonNull.Value : registration.StreamArn },
                    { "viewType", registration.ViewType is null ? BsonNull.Value : registration.ViewType },
                    { "estimatedItems", registration.EstimatedItems is { } n ? new BsonInt64(n) : BsonNull.Value },
                    { "updatedAt", Now() },
                }
            },
            { "$setOnInsert", new BsonDocument { { "generation", 0 }, { "fullSync", NotStartedFullSync() } } },
        };
        return UpdateOneAsync(_tables, new BsonDocument { { "_id", registration.Table } }, update, upsert: true, cancellationToken);
    }

    /// <summary>
    /// Starts the full sync of the current generation with <paramref name="totalSegments"/> segments. A sync that is
    /// already running keeps its own segment count, so a changed setting never orphans a segment's position.
    /// Returns the checkpoint as it now stands.
    /// </summary>
    public async Task<TableCheckpoint> BeginFullSyncAsync(string table, int generation, int totalSegments, CancellationToken cancellationToken = default)
    {
        if (totalSegments < 1) throw new ArgumentOutOfRangeException(nameof(totalSegments), "a full sync needs at least one segment");
        var segments = new BsonDocument();
        for (var i = 0; i < totalSegments; i++)
            segments.Add(i.ToString(CultureInfo.InvariantCulture), SegmentDocument(SegmentStatus.Pending, null, 0, 0));
        var filter = new BsonDocument { { "_id", table }, { "generation", generation }, { "fullSync.status", nameof(FullSyncStatus.NotStarted) } };
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { "fullSync.status", nameof(FullSyncStatus.Running) },
                    { "fullSync.totalSegments", totalSegments },
                    { "fullSync.itemsWritten", 0L },
                    { "fullSync.segments", segments },
                    { "fullSync.startedAt", Now() },
                    { "updatedAt", Now() },
                }
            },
        };
        await UpdateOneAsync(_tables, filter, update, upsert: false, cancellationToken).ConfigureAwait(false);
        return await GetTableAsync(table, cancellationToken).ConfigureAwait(false)
            ?? throw new CheckpointConflictException($"table '{table}' has no checkpoint; it must be registered before its full sync starts");
    }

    /// <summary>
    /// Records that a segment's page was written and acknowledged: the next page starts after
    /// <paramref name="lastEvaluatedKey"/>; null means the segment has no more pages.
    /// </summary>
    public async Task SaveSegmentPageAsync(string table, int generation, int segment, string? lastEvaluatedKey, long itemsWritten,
        CheckpointFence? fence = null, CancellationToken cancellationToken = default)
    {
        var path = "fullSync.segments." + segment.ToString(CultureInfo.InvariantCulture);
        var filter = Fenced(new BsonDocument { { "_id", table }, { "generation", generation }, { path + ".status", new BsonDocument { { "$ne", nameof(SegmentStatus.Done) } } } }, fence, path + ".lease");
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { path + ".status", lastEvaluatedKey is null ? nameof(SegmentStatus.Done) : nameof(SegmentStatus.Running) },
                    { path + ".lastEvaluatedKey", lastEvaluatedKey is null ? BsonNull.Value : lastEvaluatedKey },
                    { "updatedAt", Now() },
                }
            },
            { "$inc", new BsonDocument { { path + ".itemsWritten", itemsWritten }, { path + ".pages", 1L }, { "fullSync.itemsWritten", itemsWritten } } },
            { "$unset", new BsonDocument { { path + ".failure", "" } } },
        };
        if (await UpdateOneAsync(_tables, filter, update, upsert: false, cancellationToken).ConfigureAwait(false) == 0)
            throw new CheckpointConflictException($"table '{table}' segment {segment}: the position was not saved (the segment is done, the table was re-synced, or this node lost its lease)");
    }

    public async Task FinishFullSyncAsync(string table, int generation, CancellationToken cancellationToken = default)
    {
        var update = new BsonDocument { { "$set", new BsonDocument { { "fullSync.status", nameof(FullSyncStatus.Done) }, { "fullSync.finishedAt", Now() }, { "updatedAt", Now() } } } };
        if (await UpdateOneAsync(_tables, new BsonDocument { { "_id", table }, { "generation", generation } }, update, upsert: false, cancellationToken).ConfigureAwait(false) == 0)
            throw new CheckpointConflictException($"table '{table}': generation {generation} is no longer current; its full sync cannot be finished");
    }

    /// <summary>
    /// Starts the table over (after a gap in its stream): a new generation whose full sync has not started, and no
    /// shard positions. Writers of the old generation are refused from now on. With <paramref name="fromGeneration"/>
    /// only that generation is replaced, so two owners reacting to one gap (a stale coordinator and its successor)
    /// re-sync the table once.
    /// </summary>
    public async Task<int> StartNewGenerationAsync(string table, CancellationToken cancellationToken = default, int? fromGeneration = null)
    {
        var filter = new BsonDocument { { "_id", table } };
        if (fromGeneration is { } current) filter.Add("generation", current);
        var document = await _tables.FindOneAndUpdateAsync<BsonDocument>(filter,
            new BsonDocument
            {
                { "$inc", new BsonDocument { { "generation", 1 } } },
                { "$set", new BsonDocument { { "fullSync", NotStartedFullSync() }, { "updatedAt", Now() } } },
                { "$unset", new BsonDocument { { "gap", "" } } },
            },
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken).ConfigureAwait(false);
        if (document is null)
            throw new CheckpointConflictException(fromGeneration is null
                ? $"table '{table}' has no checkpoint to re-sync"
                : $"table '{table}': generation {fromGeneration} is no longer current; another owner already started its re-sync");
        await DeleteShardsAsync(table, cancellationToken).ConfigureAwait(false);
        return ReadTable(document).Generation;
    }

    /// <summary>
    /// Records a gap found by a shard worker of <paramref name="generation"/> (cluster mode), for the table's owner to
    /// re-sync or stop. The first gap reported stays; a later generation starts without one.
    /// </summary>
    public Task ReportGapAsync(string table, int generation, StreamGap gap, CancellationToken cancellationToken = default) =>
        UpdateOneAsync(_tables,
            new BsonDocument { { "_id", table }, { "generation", generation }, { "gap", new BsonDocument { { "$exists", false } } } },
            new BsonDocument { { "$set", new BsonDocument { { "gap", new BsonDocument { { "shardId", gap.ShardId }, { "reason", gap.Reason } } }, { "updatedAt", Now() } } } },
            upsert: false, cancellationToken);

    /// <summary>Forgets everything about a table (the CLI's reset): its next run starts with a full sync.</summary>
    public async Task<bool> ResetTableAsync(string table, CancellationToken cancellationToken = default)
    {
        var result = await _tables.DeleteOneAsync(new BsonDocument { { "_id", table } }, cancellationToken).ConfigureAwait(false);
        await DeleteShardsAsync(table, cancellationToken).ConfigureAwait(false);
        return result.DeletedCount > 0;
    }

    private static BsonDocument NotStartedFullSync() => new()
    {
        { "status", nameof(FullSyncStatus.NotStarted) },
        { "totalSegments", 0 },
        { "itemsWritten", 0L },
        { "segments", new BsonDocument() },
        { "startedAt", BsonNull.Value },
        { "finishedAt", BsonNull.Value },
    };

    private static BsonDocument SegmentDocument(SegmentStatus status, string? lastEvaluatedKey, long items, long pages) => new()
    {
        { "status", status.ToString() },
        { "lastEvaluatedKey", lastEvaluatedKey is null ? BsonNull.Value : lastEvaluatedKey },
        { "itemsWritten", items },
        { "pages", pages },
        { "lease", FreeLease() },
    };

    private static BsonDocument FreeLease() => new() { { "owner", BsonNull.Value }, { "counter", 0L }, { "expiresAt", BsonNull.Value } };

    private static BsonDocument KeySchemaDocument(TableKeySchema key)
    {
        var doc = new BsonDocument { { "hash", key.HashKey } };
        if (key.RangeKey is not null) doc.Add("range", key.RangeKey);
        return doc;
    }

    internal static TableCheckpoint ReadTable(BsonDocument doc)
    {
        var key = (BsonDocument)doc.GetValue("keySchema", null);
        var fullSync = doc.GetValue("fullSync", null) as BsonDocument;
        return new TableCheckpoint(
            Table: CheckpointFields.String(doc, "_id")!,
            Collection: CheckpointFields.String(doc, "collection") ?? CheckpointFields.String(doc, "_id")!,
            KeySchema: new TableKeySchema(CheckpointFields.String(key, "hash")!, CheckpointFields.String(key, "range")),
            StreamArn: CheckpointFields.String(doc, "streamArn"),
            ViewType: CheckpointFields.String(doc, "viewType"),
            Generation: (int)CheckpointFields.Long(doc, "generation"),
            FullSync: fullSync is null ? FullSyncCheckpoint.NotStarted : ReadFullSync(fullSync),
            UpdatedAt: CheckpointFields.Time(doc, "updatedAt") ?? DateTimeOffset.UnixEpoch,
            EstimatedItems: doc.GetValue("estimatedItems", null) is BsonInt32 or BsonInt64 ? CheckpointFields.Long(doc, "estimatedItems") : null)
        {
            Gap = doc.GetValue("gap", null) is BsonDocument gap ? new StreamGap(CheckpointFields.String(gap, "shardId") ?? "", CheckpointFields.String(gap, "reason") ?? "") : null,
        };
    }

    private static FullSyncCheckpoint ReadFullSync(BsonDocument doc)
    {
        var segments = new Dictionary<int, SegmentCheckpoint>();
        if (doc.GetValue("segments", null) is BsonDocument all)
        {
            foreach (var (name, value) in all.Select(e => (e.Name, e.Value)))
            {
                if (value is not BsonDocument s || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) continue;
                segments[n] = new SegmentCheckpoint(n,
                    Enum.Parse<SegmentStatus>(CheckpointFields.String(s, "status") ?? nameof(SegmentStatus.Pending)),
                    CheckpointFields.String(s, "lastEvaluatedKey"),
                    CheckpointFields.Long(s, "itemsWritten"),
                    CheckpointFields.Long(s, "pages"))
                { Lease = CheckpointFields.Lease(s), Failure = ReadFailure(s) };
            }
        }
        return new FullSyncCheckpoint(
            Enum.Parse<FullSyncStatus>(CheckpointFields.String(doc, "status") ?? nameof(FullSyncStatus.NotStarted)),
            (int)CheckpointFields.Long(doc, "totalSegments"),
            CheckpointFields.Long(doc, "itemsWritten"),
            segments,
            CheckpointFields.Time(doc, "startedAt"),
            CheckpointFields.Time(doc, "finishedAt"));
    }
}
