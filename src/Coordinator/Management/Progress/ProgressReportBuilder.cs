using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;

namespace Replication.Coordinator.Management.Progress;

/// <summary>
/// Builds <c>/progress</c> from the checkpoint database, so every node reports the whole cluster's progress, not only
/// its own. Rates come from the difference between this request's totals and earlier ones kept in memory.
/// </summary>
public sealed class ProgressReportBuilder(CheckpointStore checkpoints, SyncMode mode, TimeProvider clock)
{
    private readonly RateSampler _itemRates = new(window: TimeSpan.FromSeconds(30), minimumSpan: TimeSpan.FromSeconds(1));
    private readonly RateSampler _eventRates = new(window: TimeSpan.FromSeconds(30), minimumSpan: TimeSpan.FromSeconds(1));
    private readonly NodeRates _nodes = new();

    public async Task<ProgressReport> BuildAsync(CancellationToken cancellationToken)
    {
        var tables = await DependencyUnavailableException.Guard("checkpoint database",
            () => checkpoints.ListTablesAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var reports = new List<TableProgressReport>(tables.Count);
        var held = new List<HeldUnit>();
        foreach (var table in tables.OrderBy(t => t.Table, StringComparer.Ordinal))
        {
            var shards = await DependencyUnavailableException.Guard("checkpoint database",
                () => checkpoints.ListShardsAsync(table.Table, cancellationToken), cancellationToken).ConfigureAwait(false);
            var deadLetters = await DependencyUnavailableException.Guard("checkpoint database",
                () => CountDeadLettersAsync(table.Table, cancellationToken), cancellationToken).ConfigureAwait(false);
            reports.Add(Table(table, shards, now) with { DeadLetters = deadLetters });
            held.AddRange(HeldUnits(table, shards));
        }
        return Summarise(reports) with { Nodes = _nodes.Report(held, mongoSource: false, now) };
    }

    /// <summary>The table's running segments and unfinished shards whose leases name a member (a cluster).</summary>
    private static IEnumerable<HeldUnit> HeldUnits(TableCheckpoint table, IReadOnlyList<ShardCheckpoint> shards)
    {
        if (table.FullSync.Status == FullSyncStatus.Running)
        {
            foreach (var segment in table.FullSync.Segments.Values)
                if (segment is { Lease.Owner: { } owner, Status: not SegmentStatus.Done })
                    yield return new HeldUnit(owner, new SegmentLeaseKey(table.Table, table.Generation, segment.Segment, table.FullSync.TotalSegments).Id,
                        HeldUnitKind.Segment, segment.ItemsWritten);
        }
        foreach (var shard in shards)
            if (shard is { Lease.Owner: { } owner, Status: not (ShardStatus.Done or ShardStatus.Skipped) })
                yield return new HeldUnit(owner, new ShardLeaseKey(table.Table, shard.ShardId, shard.ParentShardId).Id, HeldUnitKind.Shard, shard.RecordsApplied);
    }

    private TableProgressReport Table(TableCheckpoint table, IReadOnlyList<ShardCheckpoint> shards, DateTimeOffset now)
    {
        var fullSync = table.FullSync;
        // Keyed by generation: a re-sync starts counting from zero and must not read as a negative rate.
        var series = $"{table.Table}#{table.Generation}";
        var itemsPerSecond = _itemRates.Observe(series, fullSync.ItemsWritten, now);
        var eventsApplied = shards.Sum(s => s.RecordsApplied);
        var eventsPerSecond = _eventRates.Observe(series, eventsApplied, now);
        var copying = fullSync.Status != FullSyncStatus.Done;
        double? eta = copying && itemsPerSecond is > 0 && table.EstimatedItems is { } estimate && estimate > fullSync.ItemsWritten
            ? (estimate - fullSync.ItemsWritten) / itemsPerSecond.Value
            : null;
        var lags = shards.Where(s => s.Status == ShardStatus.Processing).Select(Lag).OfType<double>().ToList();
        return new TableProgressReport(
            table.Table,
            table.Collection,
            table.Generation,
            Phase(fullSync.Status),
            new FullSyncProgress(fullSync.Status.ToString(), fullSync.ItemsWritten, table.EstimatedItems,
                fullSync.Segments.Values.Count(s => s.Status == SegmentStatus.Done), fullSync.TotalSegments,
                itemsPerSecond, eta, fullSync.StartedAt, fullSync.FinishedAt),
            new ShardCounts(
                shards.Count,
                shards.Count(s => s.Status is ShardStatus.Done or ShardStatus.Skipped),
                shards.Count(s => s.Status == ShardStatus.Processing),
                shards.Count(s => s.Status is ShardStatus.NotStarted or ShardStatus.Prepared)),
            eventsApplied,
            eventsPerSecond,
            lags.Count > 0 ? lags.Max() : null)
        {
            FailedUnits = FailedUnits(fullSync, shards),
        };
    }

    private static List<FailedUnitReport> FailedUnits(FullSyncCheckpoint fullSync, IReadOnlyList<ShardCheckpoint> shards)
    {
        var failed = new List<FailedUnitReport>();
        foreach (var segment in fullSync.Segments.Values.OrderBy(s => s.Segment))
            if (segment is { Failure: { } f, Status: not SegmentStatus.Done })
                failed.Add(new FailedUnitReport($"segment {segment.Segment}", f.Position, f.Error, f.Restarts, f.At));
        foreach (var shard in shards)
            if (shard is { Failure: { } f, Status: not (ShardStatus.Done or ShardStatus.Skipped) })
                failed.Add(new FailedUnitReport($"shard {shard.ShardId}", f.Position, f.Error, f.Restarts, f.At));
        return failed;
    }

    private async Task<DeadLetterCounts> CountDeadLettersAsync(string table, CancellationToken cancellationToken) => new(
        await checkpoints.CountDeadLettersAsync(table, cancellationToken).ConfigureAwait(false),
        await checkpoints.CountDeadLettersAsync(table, StaleDocumentOutcome.Removed, cancellationToken).ConfigureAwait(false),
        await checkpoints.CountDeadLettersAsync(table, StaleDocumentOutcome.Kept, cancellationToken).ConfigureAwait(false));

    /// <summary>How far behind its record was when the shard's last batch was applied (DynamoDB's creation time is to the second).</summary>
    private static double? Lag(ShardCheckpoint shard) =>
        shard.ApproximateTime is { } created ? Math.Max(0, (shard.UpdatedAt - created).TotalSeconds) : null;

    private string Phase(FullSyncStatus fullSync) => (mode, fullSync) switch
    {
        (SyncMode.Incremental, _) => TablePhase.Incremental,
        (_, not FullSyncStatus.Done) => TablePhase.FullSync,
        (SyncMode.Full, _) => TablePhase.Done,
        _ => TablePhase.Incremental,
    };

    private static ProgressReport Summarise(IReadOnlyList<TableProgressReport> tables)
    {
        var lag = tables.Select(t => t.LagSeconds).OfType<double>().DefaultIfEmpty(-1).Max();
        var copying = tables.Any(t => t.Phase == TablePhase.FullSync);
        var state = tables.Count == 0 ? "IDLE" : tables.All(t => t.Phase == TablePhase.Done) ? "COMPLETED" : "RUNNING";
        var info = state switch
        {
            "IDLE" => "waiting for tables",
            "COMPLETED" => "collection copy completed",
            _ => copying ? "collection copy" : "change event application",
        };
        return new ProgressReport(
            state,
            info,
            lag >= 0 ? (long)Math.Round(lag) : null,
            tables.Sum(t => t.EventsApplied),
            new CollectionCopyProgress(tables.Sum(t => t.FullSync.EstimatedItems ?? 0), tables.Sum(t => t.FullSync.ItemsWritten)),
            tables);
    }
}
