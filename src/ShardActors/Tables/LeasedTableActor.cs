using Akka.Actor;
using Replication.Checkpoints;
using Replication.Dynamo.Control;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

/// <summary>
/// A table of a cluster, owned by the coordinator's node. Its segments and shards run on any node as sharded unit
/// entities under their leases: this actor makes them leasable when they may run and follows their progress through the
/// checkpoints (every <see cref="ObserveInterval"/>). Its only children are the start-position probes, which need the
/// LATEST iterators it takes before the scan.
/// </summary>
internal sealed class LeasedTableActor(ReplicationServices services, string tableName, IReadOnlyList<DynamoIndexInfo> globalIndexes, long? estimatedItems)
    : TableActor(services, tableName, globalIndexes, estimatedItems)
{
    /// <summary>How often the table's owner reads the checkpoints its workers on other nodes write.</summary>
    private static readonly TimeSpan ObserveInterval = TimeSpan.FromSeconds(1);

    /// <summary>Shards made leasable: handed to the workers, and followed until they finish.</summary>
    private readonly HashSet<string> _shardsHandedOut = new(StringComparer.Ordinal);

    /// <summary>Shards whose probe learned a start position during the full sync.</summary>
    private readonly HashSet<string> _probesLearned = new(StringComparer.Ordinal);

    /// <summary>Shards whose probe still waits for a first record after the full sync; they are handed out once it arrives.</summary>
    private readonly HashSet<string> _stillProbing = new(StringComparer.Ordinal);

    private protected override void RunSegments(IReadOnlyList<int> unfinishedSegments) =>
        Timers.StartPeriodicTimer("observe", new ObserveLeasedWork(), ObserveInterval);

    /// <summary>A probe is not its shard's worker: <see cref="BeginIncrementalWork"/> finds it among the children.</summary>
    private protected override void ProbeSpawned(string shardId)
    {
    }

    private protected override void ReceiveFullSyncProgress()
    {
        ReceiveAsync<ObserveLeasedWork>(_ => ObserveSegmentsAsync());
        Receive<ShardPrepared>(prepared => _probesLearned.Add(prepared.ShardId));
    }

    private protected override void BeginIncrementalWork()
    {
        // A probe that learned its position is done; one still waiting for a first record keeps its LATEST iterator
        // until it learns one, and its shard is leased only then (so no node replays the shard from TRIM_HORIZON).
        foreach (var probe in Context.GetChildren())
        {
            var shardId = probe.Path.Name;
            if (_probesLearned.Contains(shardId) || IsFinished(shardId)) Context.Stop(probe);
            else _stillProbing.Add(shardId);
        }
        Timers.StartPeriodicTimer("observe", new ObserveLeasedWork(), ObserveInterval);
        Self.Tell(new ObserveLeasedWork());
    }

    private protected override void ReceiveIncrementalReports()
    {
        ReceiveAsync<ShardPrepared>(async prepared =>
        {
            if (!_stillProbing.Remove(prepared.ShardId)) return;
            if (Sender is { } probe) Context.Stop(probe);
            await MarkRunnableShardsLeasableAsync();
        });
        ReceiveAsync<ObserveLeasedWork>(_ => ObserveShardsAsync());
    }

    /// <summary>A probe found its shard closed before any record came: nothing of it is left to hand out.</summary>
    private protected override void ShardActorClosed(string shardId, IActorRef actor) => _stillProbing.Remove(shardId);

    private protected override Task RunRunnableShardsAsync() => MarkRunnableShardsLeasableAsync();

    /// <summary>
    /// No node may take a shard of the table any more, and the leases held are revoked: each holder stops at its next
    /// renewal, and its fence ends within a lease duration at the latest, after which no record of the table is applied.
    /// </summary>
    private protected override async Task StopShardsElsewhereAsync()
    {
        await _services.Checkpoints.WithdrawShardsAsync(_tableName, Stopping);
        await Task.Delay(_services.Cluster!.Settings.LeaseDuration, Stopping);
    }

    /// <summary>
    /// Lets any node take the shards that may run now (parents finished, start position settled). A shard the stream
    /// has but the checkpoints do not is registered first, so its lease has a document to live in.
    /// </summary>
    private async Task MarkRunnableShardsLeasableAsync()
    {
        var ready = new List<string>();
        foreach (var shard in _lineage.Runnable(StatusOf).ToArray())
        {
            if (_shardsHandedOut.Contains(shard.ShardId) || _stillProbing.Contains(shard.ShardId)) continue;
            if (!_status.ContainsKey(shard.ShardId))
            {
                await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId, ShardStatus.NotStarted, Stopping);
                _status[shard.ShardId] = ShardStatus.NotStarted;
            }
            ready.Add(shard.ShardId);
        }
        await _services.Checkpoints.MarkShardsLeasableAsync(_tableName, ready, Stopping);
        _shardsHandedOut.UnionWith(ready);
    }

    /// <summary>The segments run on any node: their progress is read back from the table's checkpoint.</summary>
    private async Task ObserveSegmentsAsync()
    {
        var checkpoint = await _services.Checkpoints.GetTableAsync(_tableName, Stopping);
        if (checkpoint is null || checkpoint.Generation != _generation) return;
        _itemsWritten = checkpoint.FullSync.ItemsWritten;
        PublishProgress("full-sync");
        foreach (var segment in checkpoint.FullSync.Segments.Values.Where(s => s.Status == SegmentStatus.Done)) SegmentFinished(segment.Segment);
    }

    /// <summary>The shards run on any node: shards finished there, and gaps they found, are read back from the checkpoints.</summary>
    private async Task ObserveShardsAsync()
    {
        var checkpoint = await _services.Checkpoints.GetTableAsync(_tableName, Stopping);
        if (checkpoint is { Gap: { } gap } && checkpoint.Generation == _generation)
        {
            OnGap(new StreamGapDetected(gap.ShardId, gap.Reason));
            return;
        }
        // Only shards handed to the workers and not yet known finished can have changed.
        var running = _shardsHandedOut.Where(id => !IsFinished(id)).ToArray();
        var finished = false;
        var changed = running.Length == 0 ? [] : await _services.Checkpoints.ListShardsAsync(_tableName, Stopping, running);
        foreach (var shard in changed)
        {
            if (shard.Status is not (ShardStatus.Done or ShardStatus.Skipped)) continue;
            _status[shard.ShardId] = shard.Status;
            finished = true;
        }
        if (finished) await DiscoverAsync(); // a closed shard usually means new children
        else await MarkRunnableShardsLeasableAsync();
    }

    private sealed record ObserveLeasedWork;
}
