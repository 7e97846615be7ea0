using System.Text.Json.Serialization;

namespace Replication.Coordinator.Management.Progress;

/// <summary>
/// <c>GET /progress</c>, shaped like mongosync's <c>/api/v1/progress</c> (<c>success</c>, then <c>progress</c> with
/// <c>state</c>, <c>info</c>, <c>lagTimeSeconds</c>, <c>totalEventsApplied</c>, <c>collectionCopy</c>), counted in items
/// rather than bytes, plus one entry per table.
/// </summary>
public sealed record ProgressResponse(bool Success, ProgressReport Progress);

/// <param name="State">IDLE (no table known yet), RUNNING, or COMPLETED (mode <c>full</c>: every table copied).</param>
/// <param name="Info">"collection copy" while any table is in its full sync, then "change event application".</param>
/// <param name="LagTimeSeconds">The largest lag over shards still processing; null when none is.</param>
public sealed record ProgressReport(
    string State,
    string Info,
    long? LagTimeSeconds,
    long TotalEventsApplied,
    CollectionCopyProgress CollectionCopy,
    IReadOnlyList<TableProgressReport> Tables)
{
    /// <summary>MongoDB source: each change stream with the node following it (in a cluster, its lease's owner); absent for DynamoDB.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChangeStreamProgressReport>? ChangeStreams { get; init; }

    /// <summary>In a cluster: each member holding leases, with the units it holds and its rate; absent on a single node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<NodeProgressReport>? Nodes { get; init; }
}

/// <param name="Node">The member's address (the owner name on its leases).</param>
/// <param name="ItemsPerSecond">
/// Items written by the copy and change records or events applied, per second, by the units it holds, measured between
/// successive requests (null on the first, or right after its units changed hands).
/// </param>
public sealed record NodeProgressReport(string Node, double? ItemsPerSecond)
{
    /// <summary>DynamoDB source: the Scan segments it holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Segments { get; init; }

    /// <summary>DynamoDB source: the stream shards it holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Shards { get; init; }

    /// <summary>MongoDB source: the <c>_id</c> ranges of the copy it holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ranges { get; init; }

    /// <summary>MongoDB source: the change streams it follows.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ChangeStreams { get; init; }
}

/// <param name="Unit">"cluster", or the database the stream watches.</param>
/// <param name="Status">Waiting (for the copy), Following, Lost (its resume point left the oplog), or Done (mode full).</param>
/// <param name="Owner">The node whose lease follows the stream (a cluster); null on a single node or while no node holds it.</param>
/// <param name="LagSeconds">How far behind the source its last batch was when applied; null unless following.</param>
public sealed record ChangeStreamProgressReport(string Unit, string Status, string? Owner, long EventsApplied, double? LagSeconds, DateTimeOffset? LastEventTime);

public sealed record CollectionCopyProgress(long EstimatedTotalItems, long EstimatedCopiedItems);

/// <param name="Phase">One of <see cref="TablePhase"/>'s values.</param>
/// <param name="LagSeconds">The largest lag over this table's shards still processing; null when none is.</param>
public sealed record TableProgressReport(
    string Table,
    string Collection,
    int Generation,
    string Phase,
    FullSyncProgress FullSync,
    ShardCounts Shards,
    long EventsApplied,
    double? EventsPerSecond,
    double? LagSeconds,
    DeadLetterCounts? DeadLetters = null)
{
    /// <summary>Segments and shards stopped after failing again and again at one position; empty while all run.</summary>
    public IReadOnlyList<FailedUnitReport> FailedUnits { get; init; } = [];

    /// <summary>MongoDB source: indexes and collection options the target refused (the copy went on without them).</summary>
    public IReadOnlyList<TargetProblemReport> TargetProblems { get; init; } = [];
}

/// <param name="Kind">"index" or "collection-options".</param>
/// <param name="What">The index's name and key, or the options.</param>
public sealed record TargetProblemReport(string Kind, string What, string Error, DateTimeOffset At);

/// <param name="Unit">"segment 3" or "shard shardId-…".</param>
/// <param name="Position">Where it is stuck: the segment's LastEvaluatedKey or the shard's last applied sequence number; null at the start.</param>
public sealed record FailedUnitReport(string Unit, string? Position, string Error, int Restarts, DateTimeOffset At);

/// <param name="Items">Items of the table in the dead letters.</param>
/// <param name="StaleDocumentsRemoved">Of those, items whose older target document was removed (<c>dead-letter.stale-document = remove</c>).</param>
/// <param name="StaleDocumentsKept">Of those, items whose older target document was kept and is stale (<c>keep</c>).</param>
public sealed record DeadLetterCounts(long Items, long StaleDocumentsRemoved, long StaleDocumentsKept);

/// <param name="ItemsPerSecond">Between this and an earlier request; null until there is one.</param>
/// <param name="EtaSeconds">Items left over the rate; null without an estimate, a rate, or anything left.</param>
public sealed record FullSyncProgress(
    string Status,
    long ItemsWritten,
    long? EstimatedItems,
    int SegmentsDone,
    int TotalSegments,
    double? ItemsPerSecond,
    double? EtaSeconds,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <param name="Done">Done or skipped (closed before the scan).</param>
/// <param name="Waiting">Not started, or prepared and waiting for the full sync or a parent shard.</param>
public sealed record ShardCounts(int Total, int Done, int Processing, int Waiting);

/// <summary>Where a table stands, as /progress names it.</summary>
public static class TablePhase
{
    public const string FullSync = "full-sync";
    public const string Incremental = "incremental";

    /// <summary>Mode <c>full</c> only: the copy is finished and nothing follows it.</summary>
    public const string Done = "done";
}
