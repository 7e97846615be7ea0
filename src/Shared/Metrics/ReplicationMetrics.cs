using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Replication.Metrics;

/// <summary>
/// The replication's instruments (System.Diagnostics.Metrics, meter "Replication"): what was scanned, written and
/// applied, what was dead-lettered, errors by kind, and per-shard lag. Tags name the table (and shard).
/// </summary>
public sealed class ReplicationMetrics : IDisposable
{
    public const string MeterName = "Replication";

    private readonly Meter _meter;
    private readonly Counter<long> _itemsScanned;
    private readonly Counter<long> _itemsWritten;
    private readonly Counter<long> _recordsApplied;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _staleDocuments;
    private readonly ConcurrentDictionary<(string Table, string Shard), ShardLag> _lag = new();
    private readonly ConcurrentDictionary<(string Table, string Unit), bool> _failedUnits = new();

    public ReplicationMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _itemsScanned = _meter.CreateCounter<long>("replication.fullsync.items_scanned", "{item}", "Items read by full-sync Scans");
        _itemsWritten = _meter.CreateCounter<long>("replication.fullsync.items_written", "{item}", "Items written to the target by full syncs");
        _recordsApplied = _meter.CreateCounter<long>("replication.incremental.records_applied", "{record}", "Stream records applied to the target");
        _deadLetters = _meter.CreateCounter<long>("replication.dead_letters", "{item}", "Items that could not be written and were dead-lettered");
        _errors = _meter.CreateCounter<long>("replication.errors", "{error}", "Errors by kind");
        _staleDocuments = _meter.CreateCounter<long>("replication.dead_letters.stale_documents", "{document}",
            "Older target documents of dead-lettered items, by what was done with them (removed or kept)");
        _meter.CreateObservableGauge("replication.incremental.lag", ObserveLag, "s", "Now minus the creation time of the last applied stream record, per shard");
        _meter.CreateObservableGauge("replication.failed_units", ObserveFailedUnits, "{unit}",
            "1 for each segment or shard this node stopped after too many restarts at one position");
    }

    /// <summary>This instance's meter: an exporter listens to it alone, since several nodes (or tests) in one process share the name.</summary>
    public Meter Meter => _meter;

    public void ItemsScanned(string table, long count) => _itemsScanned.Add(count, Tag("table", table));
    public void ItemsWritten(string table, long count) => _itemsWritten.Add(count, Tag("table", table));
    public void RecordsApplied(string table, long count) => _recordsApplied.Add(count, Tag("table", table));
    public void DeadLettered(string table, long count) => _deadLetters.Add(count, Tag("table", table));

    /// <summary>Dead-lettered items whose older target document was <paramref name="outcome"/> ("removed" or "kept").</summary>
    public void StaleDocuments(string table, string outcome, long count)
    {
        if (count > 0) _staleDocuments.Add(count, Tag("table", table), Tag("outcome", outcome));
    }

    public void Error(string table, string kind) =>
        _errors.Add(1, Tag("table", table), Tag("kind", kind));

    /// <summary>A fault of a dependency (<c>dynamodb</c>, <c>mongodb-target</c>, <c>mongodb-checkpoint</c>) that the node retries.</summary>
    public void DependencyError(string dependency, string kind) =>
        _errors.Add(1, Tag("dependency", dependency), Tag("kind", kind));

    /// <summary>Records the creation time of the last applied record of a shard (null: the shard is idle and caught up).</summary>
    public void ShardPosition(string table, string shard, DateTimeOffset? lastRecordCreated) =>
        _lag[(table, shard)] = new ShardLag(lastRecordCreated, DateTimeOffset.UtcNow);

    public void ShardFinished(string table, string shard) => _lag.TryRemove((table, shard), out _);

    /// <summary>A segment or shard (<paramref name="unit"/>, e.g. "segment 3") was stopped for failing at one position.</summary>
    public void UnitFailed(string table, string unit) => _failedUnits[(table, unit)] = true;

    private IEnumerable<Measurement<long>> ObserveFailedUnits()
    {
        foreach (var (table, unit) in _failedUnits.Keys)
            yield return new Measurement<long>(1, Tag("table", table), Tag("unit", unit));
    }

    /// <summary>The largest lag across shards, in seconds (0 when nothing is behind).</summary>
    public double MaxLagSeconds() => _lag.Values.Select(l => l.Seconds(DateTimeOffset.UtcNow)).DefaultIfEmpty(0).Max();

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var ((table, shard), lag) in _lag)
            yield return new Measurement<double>(lag.Seconds(now), Tag("table", table), Tag("shard", shard));
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    public void Dispose() => _meter.Dispose();

    private readonly record struct ShardLag(DateTimeOffset? LastRecordCreated, DateTimeOffset ObservedAt)
    {
        // An idle shard that returned no records is caught up: its lag is zero, not the age of its last record.
        public double Seconds(DateTimeOffset now) => LastRecordCreated is { } t ? Math.Max(0, (now - t).TotalSeconds) : 0;
    }
}
