using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using MongoDB.Driver;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

/// <summary>
/// Owns one table. First (mode all/full) it fixes the stream's start positions and runs the full sync, one unit of
/// work per Scan segment; then (mode all/incremental) it runs incremental sync along the shard tree, a child shard only
/// after its parent is finished. It discovers new shards on a timer and at once when a shard closes. Where the segments
/// and shards run is its subclass's concern: <see cref="LocalTableActor"/> runs them as its own child actors;
/// <see cref="LeasedTableActor"/> (in a cluster, on the coordinator's node) makes them leasable, so they run as sharded
/// unit entities on any node, and follows their progress through the checkpoints.
/// </summary>
public abstract partial class TableActor : ReceiveActor, IWithTimers
{
    private protected readonly ReplicationServices _services;
    private protected readonly string _tableName;
    private readonly long? _estimatedItems;
    private readonly CancellationTokenSource _stopping = new();
    private protected readonly ShardLineage _lineage = new();
    private protected readonly Dictionary<string, ShardStatus> _status = new(StringComparer.Ordinal);
    private protected readonly HashSet<int> _segmentsDone = [];
    private readonly IReadOnlyList<DynamoIndexInfo> _globalIndexes;
    private IReadOnlyList<ShardDescription> _describedShards = [];
    private protected TableContext _table = null!;
    private protected int _generation;
    private protected int _totalSegments;
    private protected long _itemsWritten;
    private protected long _deadLettered;

    private protected TableActor(ReplicationServices services, string tableName, IReadOnlyList<DynamoIndexInfo> globalIndexes, long? estimatedItems)
    {
        _services = services;
        _tableName = tableName;
        _globalIndexes = globalIndexes;
        _estimatedItems = estimatedItems;
        Log = ActorLog.For(services.Loggers, Context);
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private protected ILogger Log { get; }

    /// <summary>A <see cref="LeasedTableActor"/> when the node is one of a cluster, else a <see cref="LocalTableActor"/>.</summary>
    public static Props Props(ReplicationServices services, string tableName, IReadOnlyList<DynamoIndexInfo>? globalIndexes = null, long? estimatedItems = null)
    {
        var indexes = globalIndexes ?? [];
        var props = services.Cluster is null
            ? Akka.Actor.Props.Create(() => new LocalTableActor(services, tableName, indexes, estimatedItems))
            : Akka.Actor.Props.Create(() => new LeasedTableActor(services, tableName, indexes, estimatedItems));
        return props.WithSupervisorStrategy(WorkerSupervision.Strategy);
    }

    private protected SyncMode Mode => _services.Settings.Mode;
    private protected CancellationToken Stopping => _stopping.Token;

    /// <summary>Runs the full sync's unfinished segments (the table then hears of their progress and their end).</summary>
    private protected abstract void RunSegments(IReadOnlyList<int> unfinishedSegments);

    /// <summary>A start-position probe was spawned as this actor's child for <paramref name="shardId"/>.</summary>
    private protected abstract void ProbeSpawned(string shardId);

    protected override void PreStart() => Self.Tell(new Start());

    // A table's failures in a row, counted in the ledger under its own name, set its back-off.
    private string Unit => $"{_tableName} table";

    protected override void PreRestart(Exception reason, object message)
    {
        _services.Restarts.RecordRestart(Unit, position: null, movedOn: false, reason);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason) =>
        Timers.StartSingleTimer("start", new Start(), RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit)));

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Starting()
    {
        ReceiveAsync<Start>(_ => StartAsync());
        Receive<Status.Failure>(failure => throw failure.Cause);
    }

    private async Task StartAsync()
    {
        var checkpoint = await _services.Checkpoints.GetTableAsync(_tableName, Stopping)
            ?? throw new InvalidOperationException($"table '{_tableName}' has no checkpoint; the coordinator registers it before starting it");
        _table = TableContext.From(checkpoint, _services.Settings.Convert);
        _generation = checkpoint.Generation;

        if (Mode != SyncMode.Full && await ReplacedStreamAsync() is { } oldStreamArn)
        {
            OnStreamReplaced(oldStreamArn);
            return;
        }
        if (Mode != SyncMode.Full && !await LearnShardsAsync(registerAs: checkpoint.FullSync.Status == FullSyncStatus.NotStarted && Mode == SyncMode.All)) return;

        if (Mode == SyncMode.Full && checkpoint.FullSync.Status == FullSyncStatus.Done)
        {
            // A run restarted after its copy, or a coordinator that moved to another member: there is nothing left to do.
            Log.LogInformation("table {Table}: full sync already done (generation {Generation}); mode full copies it again only after `replication checkpoints reset`",
                _tableName, _generation);
            ReportFullSyncDone();
            Become(Idle);
            return;
        }
        if (Mode == SyncMode.All && checkpoint.FullSync.Status == FullSyncStatus.Done && _status.Count == 0)
        {
            // Copied by a run in mode full, which learns no stream positions: where the changes made since that copy
            // begin in the stream is unknown, so they cannot be applied with certainty.
            ResyncOrStop("the table was copied by a run in mode full, which records no stream start positions, so the changes made since that copy cannot be replayed");
            return;
        }
        if (Mode == SyncMode.Incremental || checkpoint.FullSync.Status == FullSyncStatus.Done)
        {
            StartIncremental();
            return;
        }

        if (checkpoint.FullSync.Status == FullSyncStatus.NotStarted)
        {
            // Positions first, scan second: every change made after this point is in the stream from a known place on.
            if (Mode == SyncMode.All) await SpawnStartPositionProbesAsync();
            await PrepareTargetAsync();
        }
        else
        {
            Log.LogInformation("table {Table}: resuming its full sync", _tableName);
        }

        var running = await _services.Checkpoints.BeginFullSyncAsync(_tableName, _generation, _services.Settings.FullSync.Segments, Stopping);
        _totalSegments = running.FullSync.TotalSegments;
        _itemsWritten = running.FullSync.ItemsWritten;
        foreach (var (segment, state) in running.FullSync.Segments)
        {
            if (state.Status == SegmentStatus.Done) _segmentsDone.Add(segment);
        }
        _services.Restarts.Recovered(Unit);
        Become(FullSyncing);
        RunSegments(running.FullSync.Segments.Values.Where(s => s.Status != SegmentStatus.Done).Select(s => s.Segment).ToArray());
        if (_segmentsDone.Count == _totalSegments) Self.Tell(new AllSegmentsCopied());
    }

    /// <summary>Reads the shard tree and the shards' checkpoints; on a first start registers every shard (closed ones as Skipped).</summary>
    /// <returns>False when the stream has ended (the table actor then stops).</returns>
    private async Task<bool> LearnShardsAsync(bool registerAs)
    {
        if (await DescribeLiveStreamAsync() is not { } description) return false;
        foreach (var shard in description.Shards)
        {
            _lineage.Add(new ShardDescriptor(shard.ShardId, shard.ParentShardId, shard.IsClosed));
            if (registerAs)
                await _services.Checkpoints.RegisterShardAsync(_tableName, StreamArn, shard.ShardId, shard.ParentShardId,
                    shard.IsClosed ? ShardStatus.Skipped : ShardStatus.Prepared, Stopping);
        }
        foreach (var shard in await _services.Checkpoints.ListShardsAsync(_tableName, Stopping))
            _status[shard.ShardId] = shard.Status;
        _describedShards = description.Shards;
        return true;
    }

    private protected string StreamArn => _table.StreamArn ?? throw new InvalidOperationException($"table '{_tableName}' has no stream; it is needed for mode {Mode}");

    /// <summary>
    /// Takes a LATEST iterator on every open shard before the first Scan call, and hands each to a probe that waits for
    /// the first record after it. Taking the iterators inside the probes would race the scan and could miss a change.
    /// </summary>
    private async Task SpawnStartPositionProbesAsync()
    {
        foreach (var shard in _describedShards.Where(s => !s.IsClosed))
        {
            var latest = await _services.Streams.GetShardIteratorAsync(StreamArn, shard.ShardId, ShardIteratorType.Latest, null, Stopping);
            Context.ActorOf(ShardActor.Props(_services, _table, Self, shard, ShardStartMode.Prepare, latest), shard.ShardId);
            ProbeSpawned(shard.ShardId);
        }
    }

    private async Task PrepareTargetAsync()
    {
        var target = _table.TargetIn(_services.Target);
        // A re-sync (generation > 0) must start empty: documents of items deleted during the stream gap would survive a
        // copy that only inserts and replaces.
        if (_services.Settings.FullSync.DropTarget || _generation > 0)
        {
            Log.LogInformation("table {Table}: dropping target collection {Collection} before its full sync (generation {Generation})", _tableName, target.CollectionNamespace.FullName, _generation);
            // In a cluster the table's owner is the coordinator singleton: the drop is sent only while this node holds the
            // singleton's lease, so a coordinator that was paused past it cannot empty a collection its successor has begun to copy into.
            if (_services.Cluster is { } cluster && !cluster.HoldsCoordinatorLease())
                throw new InvalidOperationException($"table '{_tableName}': this node no longer holds the coordinator lease, so it may not drop {target.CollectionNamespace.FullName}");
            try { await target.Database.DropCollectionAsync(target.CollectionNamespace.CollectionName, Stopping); }
            catch (MongoCommandException e) when (e.Code == 26) { } // NamespaceNotFound: nothing to drop
        }
        var indexes = TargetIndexes.For(_services.Settings, _table, _globalIndexes);
        if (indexes.Count > 0) await target.Indexes.CreateManyAsync(indexes, Stopping);
    }

    private sealed record Start;

    private protected sealed record AllSegmentsCopied;
}
