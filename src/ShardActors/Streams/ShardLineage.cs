using Replication.Checkpoints;

namespace Replication.ShardActors.Streams;

/// <summary>What DescribeStream tells about a shard: its parent, and whether it is closed (has an ending sequence number).</summary>
public sealed record ShardDescriptor(string ShardId, string? ParentShardId, bool IsClosed);

/// <summary>
/// The shard tree of one stream. DynamoDB writes a key's records to a child shard only after its parent shard
/// closed, so applying a child before its parent is finished could apply an old image over a newer one. This type
/// answers the one question that ordering needs: which shards may be processed now.
/// </summary>
public sealed class ShardLineage
{
    private readonly Dictionary<string, ShardDescriptor> _shards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ShardDescriptor> Shards => _shards.Values;

    public bool Contains(string shardId) => _shards.ContainsKey(shardId);

    public ShardDescriptor this[string shardId] => _shards[shardId];

    /// <summary>Adds a shard or updates what is known of it (a shard closes over time); true when it was new.</summary>
    public bool Add(ShardDescriptor shard)
    {
        var isNew = !_shards.ContainsKey(shard.ShardId);
        _shards[shard.ShardId] = shard;
        if (isNew && shard.ParentShardId is { } parent)
        {
            if (!_children.TryGetValue(parent, out var list)) _children[parent] = list = [];
            list.Add(shard.ShardId);
        }
        return isNew;
    }

    public IReadOnlyList<ShardDescriptor> ChildrenOf(string shardId) =>
        _children.TryGetValue(shardId, out var ids) ? ids.Select(id => _shards[id]).ToArray() : [];

    /// <summary>
    /// True when nothing older than <paramref name="shard"/> is left to apply: it has no parent, its parent has aged
    /// out of the stream (records older than 24 hours are trimmed with their shards), or the parent is Done or Skipped.
    /// </summary>
    public bool ParentFinished(ShardDescriptor shard, Func<string, ShardStatus> statusOf)
    {
        if (shard.ParentShardId is not { } parent || !_shards.ContainsKey(parent)) return true;
        return statusOf(parent) is ShardStatus.Done or ShardStatus.Skipped;
    }

    /// <summary>Shards that are not finished and whose parent is: the ones to run now.</summary>
    public IEnumerable<ShardDescriptor> Runnable(Func<string, ShardStatus> statusOf) =>
        _shards.Values
            .Where(s => statusOf(s.ShardId) is not (ShardStatus.Done or ShardStatus.Skipped))
            .Where(s => ParentFinished(s, statusOf))
            .OrderBy(s => s.ShardId, StringComparer.Ordinal);

    /// <summary>
    /// Shards whose parent is not tracked: the tree's roots, from which shard actors are spawned; every other shard
    /// is spawned by its parent's actor once that parent is done.
    /// </summary>
    public IEnumerable<ShardDescriptor> Roots =>
        _shards.Values.Where(s => s.ParentShardId is null || !_shards.ContainsKey(s.ParentShardId))
            .OrderBy(s => s.ShardId, StringComparer.Ordinal);
}
