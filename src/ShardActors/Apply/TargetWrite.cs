using Replication.Checkpoints;

namespace Replication.ShardActors.Apply;

public enum TargetWriteKind
{
    /// <summary>Full sync: insert; a duplicate key turns into a replace by key.</summary>
    Insert,
    /// <summary>Stream INSERT/MODIFY: replace the whole document by key, upserting.</summary>
    Replace,
    /// <summary>Stream REMOVE: delete by key.</summary>
    Delete,
}

/// <summary>
/// One change to a target collection. <see cref="Filter"/> selects the document by key (may be empty for inserts:
/// it is derived from the document only when needed); <see cref="Document"/> is empty for deletes.
/// </summary>
public readonly record struct TargetWrite(TargetWriteKind Kind, ReadOnlyMemory<byte> Filter, ReadOnlyMemory<byte> Document, string? SequenceNumber = null);

/// <summary>
/// What one call to <see cref="TargetWriter.WriteAsync"/> did; every write is in exactly one of the first four counts.
/// Of the dead-lettered ones, <see cref="StaleRemoved"/> had an older document removed and <see cref="StaleKept"/> one kept.
/// </summary>
public sealed record WriteSummary(long Inserted, long Replaced, long Deleted, long DeadLettered, long StaleRemoved = 0, long StaleKept = 0)
{
    public static WriteSummary Empty { get; } = new(0, 0, 0, 0);
    public long Total => Inserted + Replaced + Deleted + DeadLettered;
    public WriteSummary Add(WriteSummary o) => new(Inserted + o.Inserted, Replaced + o.Replaced, Deleted + o.Deleted, DeadLettered + o.DeadLettered,
        StaleRemoved + o.StaleRemoved, StaleKept + o.StaleKept);

    public static WriteSummary DeadLetter(StaleDocumentOutcome? stale) =>
        new(0, 0, 0, 1, stale == StaleDocumentOutcome.Removed ? 1 : 0, stale == StaleDocumentOutcome.Kept ? 1 : 0);
}
