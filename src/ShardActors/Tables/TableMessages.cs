namespace Replication.ShardActors.Tables;

/// <summary>Table → coordinator: the table's full sync finished (in mode `full`, its work is over).</summary>
public sealed record TableFullSyncDone(string Table);

/// <summary>Table → coordinator: the table cannot go on and the policy says the node must stop.</summary>
public sealed record TableFailed(string Table, string Reason);

/// <summary>
/// Table → coordinator: the table's stream was turned off (or replaced by a new one). The table actor has stopped its
/// work and waits to be replaced by one started on the table's current stream.
/// </summary>
public sealed record TableStreamEnded(string Table, string StreamArn, string StreamStatus);

/// <summary>Published on the event stream as a table's full sync advances, for progress views and endpoints.</summary>
public sealed record TableProgress(string Table, string Phase, long ItemsWritten, long DeadLettered, int SegmentsDone, int TotalSegments, long? EstimatedItems);
