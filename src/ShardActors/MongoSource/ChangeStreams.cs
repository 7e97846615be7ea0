using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Opens the source's change streams: one for the cluster (<c>"cluster"</c>) or one per database (named by it), with
/// update lookups when updates are applied as post-images and, on MongoDB 6.0+ (hello's maxWireVersion ≥ 17), the
/// expanded DDL events (showExpandedEvents: create, createIndexes, dropIndexes…). Older servers refuse that option and
/// never show those events: that is logged once as a warning. Events come as raw BSON; every batch carries the stream's
/// resume token (postBatchResumeToken), also when it is empty.
/// </summary>
public sealed class ChangeStreams(IMongoClient source, MongoSourceSettings settings, ILogger logger)
{
    public const string ClusterUnit = "cluster";

    /// <summary>MongoDB 6.0's wire version, the first whose change streams show the expanded DDL events.</summary>
    public const int ExpandedEventsWireVersion = 17;

    private int _olderServerReported;

    private static readonly PipelineDefinition<ChangeStreamDocument<BsonDocument>, RawBsonDocument> RawEvents =
        new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>().As<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, RawBsonDocument>();

    /// <summary>The stream units for the databases selected now: the cluster, or each database.</summary>
    public async Task<IReadOnlyList<string>> UnitsAsync(NamespaceMap map, CancellationToken cancellationToken)
    {
        if (settings.ChangeStream == ChangeStreamLevel.Cluster) return [ClusterUnit];
        var names = await (await source.ListDatabaseNamesAsync(cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return names.Where(map.MayInclude).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Where a stream opened now starts: its resume token, read before anything is copied, so every change made during
    /// the copy is applied after it.
    /// </summary>
    public async Task<BsonDocument> CurrentPositionAsync(string unit, CancellationToken cancellationToken)
    {
        using var cursor = await OpenAsync(unit, null, cancellationToken, TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            if (cursor.GetResumeToken() is { } token) return token;
            if (attempt >= 50 || !await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException($"the source's change stream ({unit}) gave no resume token; change streams need a replica set or a sharded cluster");
        }
    }

    /// <summary>A stream from <paramref name="startAfter"/> (or from now): startAfter also resumes after an invalidate event.</summary>
    public async Task<IChangeStreamCursor<RawBsonDocument>> OpenAsync(string unit, BsonDocument? startAfter, CancellationToken cancellationToken,
        TimeSpan? maxAwait = null)
    {
        var options = new ChangeStreamOptions
        {
            FullDocument = settings.Updates == UpdateApplication.FullDocument ? ChangeStreamFullDocumentOption.UpdateLookup : ChangeStreamFullDocumentOption.Default,
            StartAfter = startAfter,
            ShowExpandedEvents = await ShowsExpandedEventsAsync(cancellationToken).ConfigureAwait(false),
            BatchSize = settings.BatchSize,
            MaxAwaitTime = maxAwait ?? TimeSpan.FromSeconds(1),
        };
        return unit == ClusterUnit
            ? await source.WatchAsync(RawEvents, options, cancellationToken).ConfigureAwait(false)
            : await source.GetDatabase(unit).WatchAsync(RawEvents, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the source (hello's maxWireVersion; asked at every open, which is rare) shows the expanded DDL events.</summary>
    private async Task<bool> ShowsExpandedEventsAsync(CancellationToken cancellationToken)
    {
        var hello = await source.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var wireVersion = hello.GetValue("maxWireVersion", 0).ToInt32();
        if (wireVersion >= ExpandedEventsWireVersion) return true;
        if (Interlocked.Exchange(ref _olderServerReported, 1) == 0)
            logger.LogWarning("the source is older than MongoDB 6.0 (maxWireVersion {WireVersion}): its change streams do not show create, createIndexes " +
                "or dropIndexes, so collections created with options and indexes built or dropped on the source after the start position are not " +
                "replicated (documents, drop, rename and dropDatabase still are; a re-sync copies the rest)", wireVersion);
        return false;
    }
}
