using Replication.Bench.Pipeline;

namespace Replication.Bench.MongoPipeline;

/// <summary>Everything one MongoDB → MongoDB run measured, with the settings and machine it ran on (serialized to JSON as is).</summary>
public sealed record MongoPipelineResults
{
    public required MongoPipelineOptions Settings { get; init; }
    public required int Cores { get; init; }
    public required string Runtime { get; init; }
    public required string Os { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>Machine load when the run started (/proc/loadavg: 1, 5 and 15 minutes).</summary>
    public string? LoadAverage { get; init; }
    public double? AverageDocumentBytes { get; init; }
    public double LoadDocumentsPerSecond { get; init; }
    public long PlainFindDocuments { get; init; }
    public double PlainFindDocumentsPerSecond { get; init; }
    /// <summary>A plain driver copy (find + unordered insertMany, no checkpoints) into a scratch database of the target: what writing costs the target.</summary>
    public double PlainCopyDocumentsPerSecond { get; init; }
    public PhaseCpu? PlainCopyCpu { get; init; }
    /// <summary>Documents copied (the ranges' counts) between the run's start and the end of the copy (the state checkpoint).</summary>
    public long FullSyncDocuments { get; init; }
    public double FullSyncDocumentsPerSecond { get; init; }
    /// <summary>Including the node's start.</summary>
    public double FullSyncWallDocumentsPerSecond { get; init; }
    public double FullSyncRatio => PlainFindDocumentsPerSecond > 0 ? FullSyncDocumentsPerSecond / PlainFindDocumentsPerSecond : 0;
    /// <summary>Full sync ÷ plain driver copy: what the node adds (upserts for an idempotent resume, checkpoints, actors) to reading and writing alone.</summary>
    public double FullSyncRatioToPlainCopy => PlainCopyDocumentsPerSecond > 0 ? FullSyncDocumentsPerSecond / PlainCopyDocumentsPerSecond : 0;
    /// <summary>Peak resident memory of the benchmark process (the node; both MongoDB servers are other processes) during the full sync.</summary>
    public double? FullSyncPeakRssMegabytes { get; init; }
    public string? PeakRssSource { get; init; }
    /// <summary>CPU seconds of the source server, the node and the target server during the plain find's faster pass and the full sync.</summary>
    public PhaseCpu? PlainFindCpu { get; init; }
    public PhaseCpu? FullSyncCpu { get; init; }
    public MongoCatchUpResults? CatchUp { get; init; }
    public required MongoVerification Verification { get; init; }
}

/// <summary>A backlog of change events written while the node was stopped, applied after a restart, against a plain watch from the same resume token.</summary>
public sealed record MongoCatchUpResults(
    int Backlog,
    int Inserts,
    int Updates,
    int Deletes,
    double AppliedPerSecond,
    double AppliedIncludingStartPerSecond,
    long PlainWatchEvents,
    double PlainWatchEventsPerSecond,
    PhaseCpu? Cpu)
{
    public double Ratio => PlainWatchEventsPerSecond > 0 ? AppliedPerSecond / PlainWatchEventsPerSecond : 0;

    /// <summary>The same events read and applied by a plain driver loop (<see cref="PlainApply"/>).</summary>
    public double PlainApplyEventsPerSecond { get; init; }

    public double RatioToPlainApply => PlainApplyEventsPerSecond > 0 ? AppliedPerSecond / PlainApplyEventsPerSecond : 0;
}

/// <summary>Source and target compared at the end, document by document and byte for byte (MongoNamespaceComparison).</summary>
public sealed record MongoVerification(bool Equal, long SourceDocuments, long TargetDocuments, string? Difference);
