namespace Replication.Bench.Pipeline;

/// <summary>Everything one pipeline run measured, with the settings and machine it ran on (serialized to JSON as is).</summary>
public sealed record PipelineResults
{
    public required PipelineOptions Settings { get; init; }
    public required int Cores { get; init; }
    public required string Runtime { get; init; }
    public required string Os { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public double? AverageItemBytes { get; init; }
    public double LoadItemsPerSecond { get; init; }
    public double PlainScanItemsPerSecond { get; init; }
    public long PlainScanItems { get; init; }
    public double FullSyncItemsPerSecond { get; init; }
    /// <summary>Including the node's start, stream enabling and start-position learning.</summary>
    public double FullSyncWallItemsPerSecond { get; init; }
    public long FullSyncItems { get; init; }
    public double FullSyncRatio => PlainScanItemsPerSecond > 0 ? FullSyncItemsPerSecond / PlainScanItemsPerSecond : 0;
    /// <summary>Peak resident memory of the benchmark process (the node; the MongoDB test server and DynamoDB Local are other processes) during the full sync.</summary>
    public double? FullSyncPeakRssMegabytes { get; init; }
    /// <summary>"VmHWM" when /proc/self/clear_refs reset the peak before the full sync, else "VmRSS sampled every 100 ms".</summary>
    public string? PeakRssSource { get; init; }
    /// <summary>Where the cores went: CPU seconds of each process during the plain Scan's second pass and during the full sync.</summary>
    public PhaseCpu? PlainScanCpu { get; init; }
    public PhaseCpu? FullSyncCpu { get; init; }
    /// <summary>
    /// Items per CPU-second of DynamoDB Local, full sync ÷ plain Scan: the same ratio with the source's share of a busy
    /// machine's cores taken out (1.0 = the full sync asks no more of the source than a plain Scan does).
    /// </summary>
    public double? FullSyncRatioPerSourceCpu =>
        PlainScanCpu is { SourceSeconds: > 0 } a && FullSyncCpu is { SourceSeconds: > 0 } b && PlainScanItems > 0
            ? FullSyncItems / b.SourceSeconds / (PlainScanItems / a.SourceSeconds) : null;
    public SteadyLoadResults? Steady { get; init; }
    public CatchUpResults? CatchUp { get; init; }
}

public sealed record SteadyLoadResults(
    int TargetRate,
    double WriteRate,
    int Writes,
    int LateWrites,
    double AppliedPerSecond,
    double LagP50Ms,
    double LagP95Ms,
    double LagP99Ms,
    double LagMaxMs);

/// <summary>A backlog written while the node was stopped, applied after a restart, against a plain GetRecords read of the stream.</summary>
public sealed record CatchUpResults(
    int Backlog,
    double AppliedPerSecond,
    double AppliedIncludingStartPerSecond,
    long PlainRecords,
    double PlainGetRecordsPerSecond,
    double PlainGetRecordsUnthrottledPerSecond)
{
    public double Ratio => PlainGetRecordsPerSecond > 0 ? AppliedPerSecond / PlainGetRecordsPerSecond : 0;
}
