using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Cluster;
using Replication.Configuration;
using Replication.ShardActors.MongoSource;

namespace Replication.Coordinator.Management.Progress;

/// <summary>
/// <c>/progress</c> for a MongoDB source, in the same shape as for DynamoDB: one entry per source namespace (its target
/// namespace as the collection, its <c>_id</c> ranges as segments, the change streams as shards; then each change stream
/// with the node that follows it), read from the
/// checkpoint database so every node reports the whole run, with each namespace's dead letters counted as `checkpoints
/// list` counts them.
/// </summary>
public sealed class MongoProgressReportBuilder(MongoSyncCheckpoints checkpoints, IMongoCollection<BsonDocument> deadLetters, TimeProvider clock)
{
    private readonly RateSampler _itemRates = new(window: TimeSpan.FromSeconds(30), minimumSpan: TimeSpan.FromSeconds(1));
    private readonly RateSampler _eventRates = new(window: TimeSpan.FromSeconds(30), minimumSpan: TimeSpan.FromSeconds(1));
    private readonly NodeRates _nodes = new();

    public async Task<ProgressReport> BuildAsync(CancellationToken cancellationToken) =>
        await DependencyUnavailableException.Guard("checkpoint database", () => BuildCoreAsync(cancellationToken), cancellationToken).ConfigureAwait(false);

    private async Task<ProgressReport> BuildCoreAsync(CancellationToken cancellationToken)
    {
        var state = await checkpoints.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (state is null) return new ProgressReport("IDLE", "recording the start position", null, 0, new CollectionCopyProgress(0, 0), []);
        var collections = await checkpoints.LoadCollectionsAsync(state.Generation, cancellationToken).ConfigureAwait(false);
        var ranges = (await checkpoints.LoadRangesAsync(state.Generation, cancellationToken).ConfigureAwait(false)).ToLookup(r => r.Namespace);
        var streams = await checkpoints.LoadStreamsAsync(state.Generation, cancellationToken).ConfigureAwait(false);
        var applied = await checkpoints.LoadAppliedAsync(cancellationToken).ConfigureAwait(false);
        var problems = (await checkpoints.LoadTargetProblemsAsync(cancellationToken).ConfigureAwait(false)).ToLookup(p => p.Namespace, StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var following = state.Phase == MongoSyncPhase.Incremental;
        var shardCounts = new ShardCounts(streams.Count, 0, following ? streams.Count : 0, following ? 0 : streams.Count);
        double? lag = following && streams.Count > 0 ? streams.Max(s => s.LagSeconds) : null;

        var tables = new List<TableProgressReport>();
        foreach (var c in collections.OrderBy(c => c.Namespace, StringComparer.Ordinal))
        {
            var own = ranges[c.Namespace].ToList();
            var copied = own.Sum(r => r.Copied);
            var series = $"{c.Namespace}#{state.Generation}";
            var itemsPerSecond = _itemRates.Observe(series, copied, now);
            var events = applied.GetValueOrDefault(c.Namespace);
            var eventsPerSecond = _eventRates.Observe(series, events, now);
            var phase = !c.Done ? TablePhase.FullSync : state.Phase == MongoSyncPhase.Done ? TablePhase.Done : TablePhase.Incremental;
            double? eta = !c.Done && itemsPerSecond is > 0 && c.EstimatedDocuments > copied ? (c.EstimatedDocuments - copied) / itemsPerSecond.Value : null;
            var dead = await MongoDeadLetters.CountAsync(deadLetters, c.Namespace, cancellationToken).ConfigureAwait(false);
            var status = c.Done ? "Done" : copied > 0 || own.Any(r => r.Done) ? "Running" : "NotStarted";
            tables.Add(new TableProgressReport(c.Namespace, c.Target, state.Generation, phase,
                new FullSyncProgress(status, copied, c.EstimatedDocuments, own.Count(r => r.Done), own.Count, itemsPerSecond, eta,
                    new DateTimeOffset(state.StartedAt, TimeSpan.Zero), state.CopyFinishedAt is { } f ? new DateTimeOffset(f, TimeSpan.Zero) : null),
                shardCounts, events, eventsPerSecond, lag, new DeadLetterCounts(dead, 0, 0))
            {
                TargetProblems = problems[c.Target].OrderBy(p => p.At)
                    .Select(p => new TargetProblemReport(p.Kind, p.What, p.Error, new DateTimeOffset(p.At, TimeSpan.Zero))).ToList(),
            });
        }
        var stateName = state.Phase == MongoSyncPhase.Done ? "COMPLETED" : "RUNNING";
        var info = state.Phase switch
        {
            MongoSyncPhase.Starting => "recording the start position",
            MongoSyncPhase.Copying => "collection copy",
            MongoSyncPhase.Done => "collection copy completed",
            _ => "change event application",
        };
        return new ProgressReport(stateName, info, lag is { } l ? (long)Math.Round(l) : null, streams.Sum(s => s.EventsApplied),
            new CollectionCopyProgress(tables.Sum(t => t.FullSync.EstimatedItems ?? 0), tables.Sum(t => t.FullSync.ItemsWritten)), tables)
        {
            ChangeStreams = streams.OrderBy(s => s.Unit, StringComparer.Ordinal)
                .Select(s => new ChangeStreamProgressReport(s.Unit, MongoLeaseViews.StatusOf(s, state.Phase), s.Lease?.Owner, s.EventsApplied,
                    following ? s.LagSeconds : null, s.LastEventTime is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null))
                .ToList(),
            Nodes = Nodes(ranges.SelectMany(r => r), streams, now),
        };
    }

    private List<NodeProgressReport>? Nodes(IEnumerable<RangeCheckpoint> ranges, IReadOnlyList<StreamCheckpoint> streams, DateTimeOffset now)
    {
        var held = ranges.Where(r => r.Lease?.Owner is not null)
            .Select(r => new HeldUnit(r.Lease!.Owner!, new MongoRangeLeaseKey(r.Id, r.Namespace, r.Generation).Id, HeldUnitKind.Range, r.Copied))
            .Concat(streams.Where(s => s.Lease?.Owner is not null)
                .Select(s => new HeldUnit(s.Lease!.Owner!, new ChangeStreamLeaseKey(s.Unit, s.Generation).Id, HeldUnitKind.ChangeStream, s.EventsApplied)))
            .ToList();
        return _nodes.Report(held, mongoSource: true, now);
    }
}
