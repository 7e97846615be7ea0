using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Dynamo;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

public abstract partial class TableActor
{
    private void StartIncremental()
    {
        Log.LogInformation("table {Table}: incremental sync from stream {Stream}", _tableName, StreamArn);
        _services.Restarts.Recovered(Unit);
        BeginIncrementalWork();
        Timers.StartPeriodicTimer("discover", new DiscoverShards(), _services.Settings.Incremental.ShardDiscoveryInterval);
        Become(Incremental);
        PublishProgress("incremental");
    }

    /// <summary>The full sync is over (or there was none): the start-position probes and the shards that may run go on.</summary>
    private protected abstract void BeginIncrementalWork();

    private void Incremental()
    {
        ReceiveAsync<ShardClosed>(async closed =>
        {
            ShardFinished(closed.ShardId, Sender);
            // A closed shard usually means children were just created: look now rather than at the next tick.
            await DiscoverAsync();
        });
        ReceiveAsync<DiscoverShards>(_ => DiscoverAsync());
        Receive<StreamGapDetected>(gap => OnGap(gap));
        Receive<Status.Failure>(failure => throw failure.Cause);
        ReceiveIncrementalReports();
    }

    /// <summary>Adds the handlers by which this table hears of its shards during incremental sync (beyond closed ones).</summary>
    private protected abstract void ReceiveIncrementalReports();

    private void ShardFinished(string shardId, IActorRef? actor)
    {
        _status[shardId] = ShardStatus.Done;
        if (actor is not null) ShardActorClosed(shardId, actor);
    }

    /// <summary><paramref name="actor"/>, a child of this table, followed its shard to the end.</summary>
    private protected abstract void ShardActorClosed(string shardId, IActorRef actor);

    /// <summary>
    /// Looks at the stream and runs every shard that may run now. A failed look — DescribeStream or the checkpoint
    /// database having a bad moment — is retried with back-off while the shards already running carry on; only a
    /// stream or table that no longer exists fails the table.
    /// </summary>
    private protected async Task DiscoverAsync()
    {
        try
        {
            if (!await RefreshShardsAsync()) return;
            await RunRunnableShardsAsync();
            _discoveryRetryDelay = FirstDiscoveryRetryDelay;
        }
        catch (Exception e) when (e is not OperationCanceledException && !WorkerSupervision.IsTableGone(e))
        {
            _services.Metrics.Error(_tableName, "discovery");
            Log.LogWarning("table {Table}: could not look for new shards ({Error}); trying again in {Delay}, the running shards carry on",
                _tableName, e.Message, _discoveryRetryDelay);
            Timers.StartSingleTimer("discover-retry", new DiscoverShards(), _discoveryRetryDelay);
            var doubled = _discoveryRetryDelay * 2;
            _discoveryRetryDelay = doubled < MaxDiscoveryRetryDelay ? doubled : MaxDiscoveryRetryDelay;
        }
    }

    /// <summary>Runs the shards that may run now (parents finished, start position settled) and do not run yet.</summary>
    private protected abstract Task RunRunnableShardsAsync();

    private static readonly TimeSpan FirstDiscoveryRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDiscoveryRetryDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _discoveryRetryDelay = FirstDiscoveryRetryDelay;

    /// <summary>Adds shards the stream grew since the last look; new ones are registered as NotStarted.</summary>
    /// <returns>False when the stream has ended (the table actor then stops).</returns>
    private protected async Task<bool> RefreshShardsAsync()
    {
        if (await DescribeLiveStreamAsync() is not { } description) return false;
        _describedShards = description.Shards;
        foreach (var shard in description.Shards)
        {
            if (!_lineage.Add(new ShardDescriptor(shard.ShardId, shard.ParentShardId, shard.IsClosed))) continue;
            if (_status.ContainsKey(shard.ShardId)) continue;
            await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId, ShardStatus.NotStarted, Stopping);
            _status[shard.ShardId] = ShardStatus.NotStarted;
        }
        return true;
    }

    private protected ShardStatus StatusOf(string shardId) => _status.GetValueOrDefault(shardId, ShardStatus.NotStarted);

    private protected bool IsFinished(string shardId) => StatusOf(shardId) is ShardStatus.Done or ShardStatus.Skipped;

    private protected ShardDescription? Described(string shardId) => _describedShards.FirstOrDefault(s => s.ShardId == shardId);

    private sealed record DiscoverShards;
}
