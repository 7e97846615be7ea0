using System.Collections.Concurrent;
using Replication.ShardActors.Tables;

namespace Replication.Coordinator.Cli;

/// <summary>One table's progress as a person reads it: what was done, how fast, and how long is left.</summary>
public sealed record TableProgressView(string Table, string Phase, long Items, long DeadLettered, int SegmentsDone, int TotalSegments, long? EstimatedItems,
    double ItemsPerSecond, TimeSpan? Eta);

/// <summary>Turns the tables' progress events into rates and ETAs (a rate over the whole run so far; steady, not jumpy).</summary>
public sealed class ProgressTracker(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (TableProgress Latest, DateTimeOffset FirstSeen, long FirstItems)> _tables = new();

    public void Record(TableProgress progress) =>
        _tables.AddOrUpdate(progress.Table,
            _ => (progress, _clock.GetUtcNow(), progress.ItemsWritten),
            (_, known) => (progress, known.FirstSeen, known.FirstItems));

    public IReadOnlyList<TableProgressView> Snapshot()
    {
        var now = _clock.GetUtcNow();
        return _tables.Values.OrderBy(t => t.Latest.Table, StringComparer.Ordinal).Select(t =>
        {
            var p = t.Latest;
            var seconds = (now - t.FirstSeen).TotalSeconds;
            var rate = seconds > 0.5 ? (p.ItemsWritten - t.FirstItems) / seconds : 0;
            TimeSpan? eta = p.Phase == "full-sync" && rate > 0 && p.EstimatedItems is > 0 && p.EstimatedItems > p.ItemsWritten
                ? TimeSpan.FromSeconds((p.EstimatedItems.Value - p.ItemsWritten) / rate)
                : null;
            return new TableProgressView(p.Table, p.Phase, p.ItemsWritten, p.DeadLettered, p.SegmentsDone, p.TotalSegments, p.EstimatedItems, rate, eta);
        }).ToArray();
    }
}
