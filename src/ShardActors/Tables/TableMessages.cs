namespace Replication.ShardActors.Tables;

/// <summary>Table → coordinator: the table's full sync finished (in mode `full`, its work is over).</summary>
public sealed record TableFullSyncDone(string Table);

/// <summary>Table → coordinator: the table cannot go on and the policy says the node must stop.</summary>
public sealed record TableFailed(string Table, string Reason);

/// <summary>Published on the event stream as a table's full sync advances, for progress views and endpoints.</summary>
public sealed record TableProgress(string Table, string Phase, long ItemsWritten, long DeadLettered, int SegmentsDone, int TotalSegments, long? EstimatedItems);
