using Akka.Actor;
using Replication.Checkpoints;
using Replication.Dynamo.Control;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

/// <summary>
/// A table whose segments and shards all run on this node, as its child actors: one SegmentActor per Scan segment,
/// and ShardActors along the shard tree — a closed shard's actor stays alive and starts its children as its own.
/// </summary>
internal sealed class LocalTableActor(ReplicationServices services, string tableName, IReadOnlyList<DynamoIndexInfo> globalIndexes, long? estimatedItems)
    : TableActor(services, tableName, globalIndexes, estimatedItems)
{
    /// <summary>Shards that have an actor (a probe goes on as its shard's actor), so none is started twice.</summary>
    private readonly HashSet<string> _shardsWithActor = new(StringComparer.Ordinal);

    /// <summary>Actors of closed shards, which start those shards' children.</summary>
    private readonly Dictionary<string, IActorRef> _closedShardActors = new(StringComparer.Ordinal);

    private protected override void RunSegments(IReadOnlyList<int> unfinishedSegments)
    {
        foreach (var segment in unfinishedSegments)
            Context.ActorOf(SegmentActor.Props(_services, _table, _generation, segment, _totalSegments), $"segment-{segment}");
    }

    private protected override void ProbeSpawned(string shardId) => _shardsWithActor.Add(shardId);

    private protected override void ReceiveFullSyncProgress()
    {
        Receive<SegmentPageWritten>(page =>
        {
            _itemsWritten += page.Items;
            _deadLettered += page.DeadLettered;
            PublishProgress("full-sync");
        });
        Receive<SegmentCopied>(copied =>
        {
            PublishProgress("full-sync");
            SegmentFinished(copied.Segment);
        });
        // Probes report while the scan runs; their positions are already saved, and they wait for BeginIncremental.
        Receive<ShardPrepared>(_ => { });
    }

    private protected override void BeginIncrementalWork()
    {
        // Probes that learned (or are still learning) a start position continue as this table's first shard actors.
        foreach (var child in Context.GetChildren()) child.Tell(new BeginIncremental());
        StartRunnableRoots();
    }

    private protected override void ReceiveIncrementalReports()
    {
        // A probe that restarted after the full sync asks again; incremental sync has begun, so it may apply.
        Receive<ShardPrepared>(_ => Sender?.Tell(new BeginIncremental()));
    }

    private protected override void ShardActorClosed(string shardId, IActorRef actor) => _closedShardActors[shardId] = actor;

    private protected override Task StopShardsElsewhereAsync() => Task.CompletedTask;

    private protected override Task RunRunnableShardsAsync()
    {
        foreach (var id in _closedShardActors.Keys.ToArray()) StartChildrenOf(id);
        StartRunnableRoots();
        return Task.CompletedTask;
    }

    /// <summary>Children of a closed shard start under that shard's actor, so the actor tree mirrors the shard tree.</summary>
    private void StartChildrenOf(string shardId)
    {
        if (!_closedShardActors.TryGetValue(shardId, out var parentActor)) return;
        var children = _lineage.ChildrenOf(shardId)
            .Where(c => !_shardsWithActor.Contains(c.ShardId) && !IsFinished(c.ShardId))
            .Select(c => Described(c.ShardId))
            .OfType<Dynamo.ShardDescription>()
            .ToArray();
        if (children.Length == 0) return;
        foreach (var child in children) _shardsWithActor.Add(child.ShardId);
        parentActor.Tell(new StartChildShards(children));
    }

    /// <summary>
    /// Shards that may run and have no actor yet, whose parent has no live actor to start them: the tree's roots, or
    /// children of a parent that finished in an earlier run. They run as this table's own children.
    /// </summary>
    private void StartRunnableRoots()
    {
        foreach (var shard in _lineage.Runnable(StatusOf))
        {
            if (_shardsWithActor.Contains(shard.ShardId)) continue;
            if (shard.ParentShardId is { } parent && _closedShardActors.ContainsKey(parent)) continue;
            if (Described(shard.ShardId) is not { } description) continue;
            _shardsWithActor.Add(shard.ShardId);
            Context.ActorOf(ShardActor.Props(_services, _table, Self, description, ShardStartMode.Process), shard.ShardId);
        }
    }
}
