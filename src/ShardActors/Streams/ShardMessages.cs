using Replication.Dynamo;

namespace Replication.ShardActors.Streams;

/// <summary>Table → preparing shard: the full sync is done; start applying from the learned position.</summary>
public sealed record BeginIncremental;

/// <summary>Shard → table: the shard's start position was learned (or the shard fell back to TRIM_HORIZON).</summary>
public sealed record ShardPrepared(string ShardId, SequenceNumber? StartSequenceNumber);

/// <summary>Shard → table: the shard is closed and every record in it was applied; its children may start.</summary>
public sealed record ShardClosed(string ShardId);

/// <summary>Table → a closed shard's actor: start these children of yours, as your own child actors.</summary>
public sealed record StartChildShards(IReadOnlyList<ShardDescription> Children);

/// <summary>Shard → table: records were trimmed from the stream before they were applied; the table has a gap.</summary>
public sealed record StreamGapDetected(string ShardId, string Reason);

/// <summary>How a shard actor begins: learning its start position before the full sync, or processing at once.</summary>
public enum ShardStartMode
{
    Prepare,
    Process,
}
