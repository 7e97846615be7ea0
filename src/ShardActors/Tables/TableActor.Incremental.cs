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
            await RefreshShardsAsync().ConfigureAwait(false);
            if (Leased) await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
            else StartChildrenOf(closed.ShardId);
        });
        ReceiveAsync<DiscoverShards>(async _ =>
        {
            await RefreshShardsAsync().ConfigureAwait(false);
            if (Leased)
            {
                await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
                return;
            }
            foreach (var id in _closedShardActors.Keys.ToArray()) StartChildrenOf(id);
            StartRunnableRoots();
        });
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

    /// <summary>Adds shards the stream grew since the last look; new ones are registered as NotStarted.</summary>
    private async Task RefreshShardsAsync()
    {
        var description = await _services.Streams.DescribeStreamAsync(StreamArn, Stopping).ConfigureAwait(false);
        _describedShards = description.Shards;
        foreach (var shard in description.Shards)
        {
            if (!_lineage.Add(new ShardDescriptor(shard.ShardId, shard.ParentShardId, shard.IsClosed))) continue;
            if (_status.ContainsKey(shard.ShardId)) continue;
            await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId, ShardStatus.NotStarted, Stopping).ConfigureAwait(false);
            _status[shard.ShardId] = ShardStatus.NotStarted;
        }
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
        if (finished) await RefreshShardsAsync().ConfigureAwait(false); // a closed shard usually means new children
        await MarkRunnableShardsLeasableAsync().ConfigureAwait(false);
    }

    private ShardStatus StatusOf(string shardId) => _status.GetValueOrDefault(shardId, ShardStatus.NotStarted);

    private ShardDescription? Described(string shardId) => _describedShards.FirstOrDefault(s => s.ShardId == shardId);

    /// <summary>Records were lost from the stream before they were applied: re-sync the table, or stop, as configured.</summary>
    private void OnGap(StreamGapDetected gap)
    {
        if (_services.Settings.Incremental.OnTrimmedData == TrimmedDataPolicy.Stop)
        {
            Context.Parent.Tell(new TableFailed(_tableName,
                $"stream records of shard {gap.ShardId} were trimmed before they were applied ({gap.Reason}); " +
                "replication.incremental.on-trimmed-data = stop. Reset the table (replication checkpoints reset) to re-sync it."));
            Become(Idle);
            return;
        }
        Context.Log.LogWarning("table {Table}: stream gap in shard {Shard}; starting a new full sync of the table", _tableName, gap.ShardId);
        _services.Checkpoints.StartNewGenerationAsync(_tableName, Stopping, fromGeneration: _generation)
            .PipeTo(Self, success: generation => new Resync(generation));
        Become(Resyncing);
    }

    private void Resyncing()
    {
        Receive<Resync>(_ => throw new TableResyncRequested(_tableName));
        Receive<Status.Failure>(failure => throw failure.Cause);
        ReceiveAny(_ => { });
    }

    private sealed record DiscoverShards;

    private sealed record Resync(int Generation);
}

/// <summary>Thrown to have the supervisor restart the table actor, which then starts the new generation from scratch.</summary>
public sealed class TableResyncRequested(string table) : Exception($"table '{table}' restarts for a re-sync");
