using Replication.Dynamo;
using Replication.Dynamo.Conversion;

namespace Replication.Checkpoints;

/// <summary>Where a shard stands. Done and Skipped are final; a child shard runs only after its parent is one of them.</summary>
public enum ShardStatus
{
    NotStarted,
    Prepared,
    Processing,
    Done,
    Skipped,
}

public enum FullSyncStatus
{
    NotStarted,
    Running,
    Done,
}

public enum SegmentStatus
{
    Pending,
    Running,
    Done,
}

/// <summary>What the coordinator learned about a table; written on every discovery, never touching positions.</summary>
/// <param name="EstimatedItems">DescribeTable's item count (refreshed by DynamoDB about every six hours), for progress and ETA.</param>
public sealed record TableRegistration(string Table, string Collection, TableKeySchema KeySchema, string? StreamArn, string? ViewType, long? EstimatedItems = null);

/// <summary>One source table's replication state: its stream, and its full sync split into Scan segments.</summary>
public sealed record TableCheckpoint(
    string Table,
    string Collection,
    TableKeySchema KeySchema,
    string? StreamArn,
    string? ViewType,
    int Generation,
    FullSyncCheckpoint FullSync,
    DateTimeOffset UpdatedAt,
    long? EstimatedItems = null)
{
    /// <summary>A gap a shard worker found in the stream (records trimmed before they were applied), for the table's owner to act on.</summary>
    public StreamGap? Gap { get; init; }
}

/// <summary>Stream records of <see cref="ShardId"/> were trimmed before they were applied.</summary>
public sealed record StreamGap(string ShardId, string Reason);

/// <summary>
/// The full sync of one table generation. <see cref="Segments"/> is keyed by segment number; a segment's
/// <see cref="SegmentCheckpoint.LastEvaluatedKey"/> is the DynamoDB JSON of the last acknowledged page's key.
/// </summary>
public sealed record FullSyncCheckpoint(
    FullSyncStatus Status,
    int TotalSegments,
    long ItemsWritten,
    IReadOnlyDictionary<int, SegmentCheckpoint> Segments,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public static FullSyncCheckpoint NotStarted { get; } = new(FullSyncStatus.NotStarted, 0, 0, new Dictionary<int, SegmentCheckpoint>(), null, null);
}

public sealed record SegmentCheckpoint(int Segment, SegmentStatus Status, string? LastEvaluatedKey, long ItemsWritten, long Pages)
{
    /// <summary>Which node holds this segment (cluster mode); null when it was never leased.</summary>
    public CheckpointLease? Lease { get; init; }

    /// <summary>Set when the segment kept failing at one position and was stopped; null while it runs.</summary>
    public UnitFailure? Failure { get; init; }
}

/// <summary>
/// A unit of work (Scan segment, stream shard) that failed <see cref="Restarts"/> times in a row at
/// <see cref="Position"/> (LastEvaluatedKey or sequence number; null before the first) and was stopped.
/// </summary>
public sealed record UnitFailure(string Error, string? Position, int Restarts, DateTimeOffset At);

/// <summary>
/// A unit of work's lease, stored beside its checkpoint so that a position write can be conditional on it in the same
/// document. <see cref="Counter"/> is the fencing token, new each time the lease changes hands and never lower than
/// any before it; every renewal raises <see cref="Renewal"/>, which is how other nodes tell a live holder from a silent
/// one. <see cref="ExpiresAt"/> is the holder's own estimate, shown to people; no node decides anything on it.
/// </summary>
public sealed record CheckpointLease(string? Owner, long Counter, DateTimeOffset? ExpiresAt)
{
    public static CheckpointLease Free { get; } = new(null, 0, null);

    /// <summary>Raised by one on every renewal; back to zero when the lease changes hands.</summary>
    public long Renewal { get; init; }

    /// <summary>How long the holder asked to hold it without a renewal; null when not recorded.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Held by its owner until its expiry time on the local clock (the coordinator lease's rule).</summary>
    public bool IsHeld(DateTimeOffset now) => Owner is not null && ExpiresAt is { } e && e > now;
}

/// <summary>
/// One stream shard's position. <see cref="StartSequenceNumber"/> was learned before the full sync (where
/// incremental starts, inclusive); <see cref="SequenceNumber"/> is the last record applied (resume after it).
/// </summary>
public sealed record ShardCheckpoint(
    string Table,
    string StreamArn,
    string ShardId,
    string? ParentShardId,
    ShardStatus Status,
    SequenceNumber? StartSequenceNumber,
    SequenceNumber? SequenceNumber,
    DateTimeOffset? ApproximateTime,
    long RecordsApplied,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The shard may be taken by any node (cluster mode): its table is in incremental sync and its parent is finished.</summary>
    public bool Leasable { get; init; }

    public CheckpointLease? Lease { get; init; }

    /// <summary>Set when the shard kept failing at one position and was stopped; null while it runs.</summary>
    public UnitFailure? Failure { get; init; }
}

/// <summary>An item that could not be written, kept with the reason so nothing is silently dropped.</summary>
public sealed record DeadLetterRecord(
    string Table,
    string Collection,
    string Key,
    string Phase,
    string Error,
    int? Code,
    ReadOnlyMemory<byte> Document,
    string? SequenceNumber = null)
{
    /// <summary>The source item as DynamoDB JSON, when it failed before it became BSON.</summary>
    public string? SourceJson { get; init; }

    /// <summary>What became of the target's older document of this key; null when the item had no key to look it up by.</summary>
    public StaleDocumentOutcome? StaleDocument { get; init; }
}

/// <summary>The target's document of a dead-lettered item's key: there was none, it was removed, or it was kept (and is stale).</summary>
public enum StaleDocumentOutcome { None, Removed, Kept }

public static class StaleDocumentOutcomes
{
    public static string Name(StaleDocumentOutcome outcome) => outcome switch
    {
        StaleDocumentOutcome.Removed => "removed",
        StaleDocumentOutcome.Kept => "kept",
        _ => "none",
    };
}

/// <summary>
/// The holder's claim on a unit of work, added to position writes as a condition so a node that lost its lease
/// cannot move a checkpoint (the cluster's fencing token).
/// </summary>
public sealed record CheckpointFence(string Owner, long Counter);

/// <summary>A conditional checkpoint write matched nothing: the position would go backwards, or the writer lost its claim.</summary>
public sealed class CheckpointConflictException(string message) : Exception(message);
