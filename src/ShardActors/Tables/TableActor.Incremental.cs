using Microsoft.Extensions.Logging;
using Replication.Actors;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

public sealed partial class TableActor
{
    private void StartIncremental()
    {
        Context.Log.LogInformation("table {Table}: incremental sync from stream {Stream}", _tableName, StreamArn);
        if (Leased)
        {
            // A probe that learned its position is done; one still waiting for a first record keeps its LATEST iterator
            // until it learns one, and its shard is leased only then (so no node replays the shard from TRIM_HORIZON).
            foreach (var child in Context.Children)
            {
                var shardId = child.Path.Name;
                // A probe is not the shard's worker: the shard is handed out (made leasable) once its position is settled.
                _started.Remove(shardId);
                if (_probesLearned.Contains(shardId) || StatusOf(shardId) is ShardStatus.Done or ShardStatus.Skipped) Context.Stop(child);
                else _probing.Add(shardId);
            }
            Timers.StartPeriodicTimer("observe", new ObserveLeasedWork(), ObserveInterval);
            Self.Tell(new ObserveLeasedWork());
        }
        else
        {
            // Probes that learned (or are still learning) a start position continue as this table's first shard actors.
            foreach (var child in Context.Children) child.Tell(new BeginIncremental());
            StartRunnableRoots();
        }
        Timers.StartPeriodicTimer("discover", new DiscoverShards(), _services.Settings.Incremental.ShardDiscoveryInterval);
        Become(Incremental);
        PublishProgress("incremental");
    }

    private void Incremental()
    {
        ReceiveAsync<ShardClosed>(async closed =>
        {
            _status[closed.ShardId] = ShardStatus.Done;
            if (Sender is { } actor) _closedShardActors[closed.ShardId] = actor;
            // A closed shard usually means children were just created: look now rather than at the next tick.
            await DiscoverAsync().ConfigureAwait(false);
        });
        ReceiveAsync<DiscoverShards>(_ => DiscoverAsync());
        ReceiveAsync<ShardPrepared>(async prepared =>
        {
            if (!Leased)
            {
                // A probe that restarted after the full sync asks again; incremental sync has begun, so it may apply.
                Sender?.Tell(new BeginIncremental());
                return;
            }
            if (!_probing.Remove(prepared.ShardId)) return;
            if (Sender is { } probe) Context.Stop(probe);
            await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
        });
        ReceiveAsync<ObserveLeasedWork>(_ => ObserveLeasedShardsAsync());
        Receive<StreamGapDetected>(gap => OnGap(gap));
        Receive<Status.Failure>(failure => throw failure.Cause);
    }

    /// <summary>
    /// Looks at the stream and starts (or, in a cluster, makes leasable) every shard that may run now. A failed look —
    /// DescribeStream or the checkpoint database having a bad moment — is retried with back-off while the shards already
    /// running carry on; only a stream or table that no longer exists fails the table.
    /// </summary>
    private async Task DiscoverAsync()
    {
        try
        {
            if (!await RefreshShardsAsync().ConfigureAwait(false)) return;
            if (Leased)
            {
                await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
            }
            else
            {
                foreach (var id in _closedShardActors.Keys.ToArray()) StartChildrenOf(id);
                StartRunnableRoots();
            }
            _discoveryRetryDelay = FirstDiscoveryRetryDelay;
        }
        catch (Exception e) when (e is not OperationCanceledException && !WorkerSupervision.IsTableGone(e))
        {
            _services.Metrics.Error(_tableName, "discovery");
            Context.Log.LogWarning("table {Table}: could not look for new shards ({Error}); trying again in {Delay}, the running shards carry on",
                _tableName, e.Message, _discoveryRetryDelay);
            Timers.StartSingleTimer("discover-retry", new DiscoverShards(), _discoveryRetryDelay);
            var doubled = _discoveryRetryDelay * 2;
            _discoveryRetryDelay = doubled < MaxDiscoveryRetryDelay ? doubled : MaxDiscoveryRetryDelay;
        }
    }

    private static readonly TimeSpan FirstDiscoveryRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDiscoveryRetryDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _discoveryRetryDelay = FirstDiscoveryRetryDelay;

    /// <summary>Adds shards the stream grew since the last look; new ones are registered as NotStarted.</summary>
    /// <returns>False when the stream has ended (the table actor then stops).</returns>
    private async Task<bool> RefreshShardsAsync()
    {
        if (await DescribeLiveStreamAsync().ConfigureAwait(false) is not { } description) return false;
        _describedShards = description.Shards;
        foreach (var shard in description.Shards)
        {
            if (!_lineage.Add(new ShardDescriptor(shard.ShardId, shard.ParentShardId, shard.IsClosed))) continue;
            if (_status.ContainsKey(shard.ShardId)) continue;
            await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId, ShardStatus.NotStarted, Stopping).ConfigureAwait(false);
            _status[shard.ShardId] = ShardStatus.NotStarted;
        }
        return true;
    }

    /// <summary>Children of a closed shard start under that shard's actor, so the actor tree mirrors the shard tree.</summary>
    private void StartChildrenOf(string shardId)
    {
        if (!_closedShardActors.TryGetValue(shardId, out var parentActor)) return;
        var children = _lineage.ChildrenOf(shardId)
            .Where(c => !_started.Contains(c.ShardId) && StatusOf(c.ShardId) is not (ShardStatus.Done or ShardStatus.Skipped))
            .Select(c => Described(c.ShardId))
            .OfType<ShardDescription>()
            .ToArray();
        if (children.Length == 0) return;
        foreach (var child in children) _started.Add(child.ShardId);
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
            if (_started.Contains(shard.ShardId)) continue;
            if (shard.ParentShardId is { } parent && _closedShardActors.ContainsKey(parent)) continue;
            if (Described(shard.ShardId) is not { } description) continue;
            _started.Add(shard.ShardId);
            Context.ActorOf(ShardActor.Props(_services, _table, Self, description, ShardStartMode.Process), shard.ShardId);
        }
    }

    /// <summary>
    /// In a cluster: lets any node take the shards that may run now (parents finished, start position settled). A shard
    /// the stream has but the checkpoints do not is registered first, so its lease has a document to live in.
    /// </summary>
    private async Task MarkRunnableShardsLeasableAsync()
    {
        var ready = new List<string>();
        foreach (var shard in _lineage.Runnable(StatusOf).ToArray())
        {
            if (_started.Contains(shard.ShardId) || _probing.Contains(shard.ShardId)) continue;
            if (!_status.ContainsKey(shard.ShardId))
            {
                await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId, ShardStatus.NotStarted, Stopping).ConfigureAwait(false);
                _status[shard.ShardId] = ShardStatus.NotStarted;
            }
            ready.Add(shard.ShardId);
        }
        await _services.Checkpoints.MarkShardsLeasableAsync(_tableName, ready, Stopping).ConfigureAwait(false);
        _started.UnionWith(ready);
    }

    /// <summary>In a cluster the shards run on any node: shards finished there, and gaps they found, are read back from the checkpoints.</summary>
    private async Task ObserveLeasedShardsAsync()
    {
        var checkpoint = await _services.Checkpoints.GetTableAsync(_tableName, Stopping).ConfigureAwait(false);
        if (checkpoint is { Gap: { } gap } && checkpoint.Generation == _generation)
        {
            OnGap(new StreamGapDetected(gap.ShardId, gap.Reason));
            return;
        }
        // Only shards handed to the workers and not yet known finished can have changed.
        var running = _started.Where(id => StatusOf(id) is not (ShardStatus.Done or ShardStatus.Skipped)).ToArray();
        var finished = false;
        var changed = running.Length == 0 ? [] : await _services.Checkpoints.ListShardsAsync(_tableName, Stopping, running).ConfigureAwait(false);
        foreach (var shard in changed)
        {
            if (shard.Status is not (ShardStatus.Done or ShardStatus.Skipped)) continue;
            _status[shard.ShardId] = shard.Status;
            finished = true;
        }
        if (finished) await DiscoverAsync().ConfigureAwait(false); // a closed shard usually means new children
        else await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
    }

    private ShardStatus StatusOf(string shardId) => _status.GetValueOrDefault(shardId, ShardStatus.NotStarted);

    private ShardDescription? Described(string shardId) => _describedShards.FirstOrDefault(s => s.ShardId == shardId);

    private sealed record DiscoverShards;

}
