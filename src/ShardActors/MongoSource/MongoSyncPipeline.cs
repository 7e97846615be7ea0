using System.Threading.RateLimiting;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>How a MongoDB → MongoDB run ended (mode full, a stop on a lost resume point, or a failure).</summary>
public sealed record MongoSyncEnded(bool Success, string Message);

/// <summary>
/// MongoDB → MongoDB, start to end, resumable at every step from the checkpoint database:
/// <list type="number">
/// <item>Starting: the change streams' resume tokens are recorded before anything is copied.</item>
/// <item>Copying: the selected namespaces are planned (target collection created with the source's options, indexes
/// before or after, large collections split into <c>_id</c> ranges) and their ranges copied by parallel DB-syncers under
/// one documents-per-second limit; each range checkpoints its last <c>_id</c>.</item>
/// <item>Incremental: the change streams are followed from the recorded tokens; every change made during the copy is
/// applied again, idempotently.</item>
/// </list>
/// In a cluster the copy's ranges and the change streams are leased units that any member runs (<see cref="MongoLeasedWork"/>).
/// A lost resume point (the oplog rolled over) starts a new generation: the targets are dropped and copied again from a
/// new start position (<c>incremental.on-trimmed-data = resync</c>), or the run stops (<c>stop</c>).
/// </summary>
public sealed class MongoSyncPipeline : IDisposable
{
    private readonly IMongoClient _source;
    private readonly IMongoClient _target;
    private readonly MongoSyncCheckpoints _checkpoints;
    private readonly ReplicationSettings _settings;
    private readonly MongoSourceSettings _mongo;
    private readonly ReplicationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly ActorSystem _system;
    private readonly RestartLedger _restarts = new(0, TimeProvider.System);
    private int _runs;
    private readonly NamespaceMap _map;
    private readonly ChangeStreams _streams;
    private readonly RateLimiter? _limiter;

    /// <param name="system">The node's actor system: the DB-syncers and change stream followers run on it.</param>
    public MongoSyncPipeline(IMongoClient source, IMongoClient target, MongoSyncCheckpoints checkpoints, ReplicationSettings settings,
        ReplicationMetrics metrics, ILoggerFactory loggers, ActorSystem system)
    {
        _system = system;
        _loggers = loggers;
        _source = source;
        _target = target;
        _checkpoints = checkpoints;
        _settings = settings;
        _mongo = settings.MongoSource;
        _metrics = metrics;
        _logger = loggers.CreateLogger<MongoSyncPipeline>();
        _map = new NamespaceMap(settings.Filter.Include, settings.Filter.Exclude, settings.Renames);
        _streams = new ChangeStreams(source, _mongo, loggers.CreateLogger<ChangeStreams>());
        Preparer = new TargetPreparer(source, target, checkpoints, metrics, loggers.CreateLogger<TargetPreparer>());
        var perSecond = settings.FullSync.ItemsPerSecond;
        _limiter = perSecond > 0
            ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = perSecond,
                TokensPerPeriod = Math.Max(1, perSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : null;
    }

    public NamespaceMap Map => _map;

    /// <summary>The node's graceful stop: the copy's and the change streams' batches in flight finish before the run is cancelled.</summary>
    public WorkDrain Drain { get; } = new();

    /// <summary>Indexes, options and views the target refused, for the logs and /progress.</summary>
    public TargetPreparer Preparer { get; }

    /// <summary>The phase this node's run is in (the checkpoint database has the cluster-wide truth).</summary>
    public MongoSyncPhase Phase { get; private set; } = MongoSyncPhase.Starting;

    /// <summary>Runs until the work is over (mode full) or <paramref name="cancellationToken"/> stops it.</summary>
    public async Task<MongoSyncEnded> RunAsync(CancellationToken cancellationToken)
    {
        var state = await _checkpoints.LoadStateAsync(cancellationToken).ConfigureAwait(false)
            ?? new MongoSyncState(1, MongoSyncPhase.Starting, DateTime.UtcNow, null);
        var backoff = FirstBackoff;
        while (true)
        {
            Phase = state.Phase;
            try
            {
                var next = await StepAsync(state, cancellationToken).ConfigureAwait(false);
                if (next.Ended is { } ended) return ended;
                state = next.State!;
                backoff = FirstBackoff;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is MongoException or TimeoutException or IOException)
            {
                // The source, target or checkpoint database is away for a while: the step runs again from the checkpoints.
                _metrics.Error("mongodb", "transient");
                _logger.LogWarning("{Phase}: {Error}; trying again from the checkpoints in {Delay}", state.Phase, e.Message, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(LongestBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Runs one phase; returns the next state, or how the run ended.</summary>
    private async Task<(MongoSyncState? State, MongoSyncEnded? Ended)> StepAsync(MongoSyncState state, CancellationToken cancellationToken)
    {
        switch (state.Phase)
        {
            case MongoSyncPhase.Starting:
                await RecordStartAsync(state.Generation, cancellationToken).ConfigureAwait(false);
                state = state with { Phase = _settings.Mode == SyncMode.Incremental ? MongoSyncPhase.Incremental : MongoSyncPhase.Copying };
                await _checkpoints.SaveStateAsync(state, cancellationToken).ConfigureAwait(false);
                return (state, null);
            case MongoSyncPhase.Copying:
                await CopyAsync(state.Generation, dropTargets: _settings.FullSync.DropTarget || state.Generation > 1, cancellationToken).ConfigureAwait(false);
                state = state with { Phase = _settings.Mode == SyncMode.Full ? MongoSyncPhase.Done : MongoSyncPhase.Incremental, CopyFinishedAt = DateTime.UtcNow };
                await _checkpoints.SaveStateAsync(state, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("collection copy finished (generation {Generation})", state.Generation);
                return (state, null);
            case MongoSyncPhase.Incremental:
                try
                {
                    await FollowAsync(state.Generation, cancellationToken).ConfigureAwait(false);
                }
                catch (ResumePointLostException e)
                {
                    _metrics.Error(e.Unit, "trimmed-data");
                    if (_settings.Incremental.OnTrimmedData == TrimmedDataPolicy.Stop)
                    {
                        _logger.LogError("{Error}; stopping (incremental.on-trimmed-data = stop)", e.Message);
                        var reason = $"{e.Message}; stopped by incremental.on-trimmed-data = stop (set it to resync to copy again)";
                        if (_settings.Cluster.Enabled) await StopLeasedStreamsAsync(state.Generation, reason, cancellationToken).ConfigureAwait(false);
                        return (null, new MongoSyncEnded(false, reason));
                    }
                    _logger.LogError("{Error}; copying again from a new start position (incremental.on-trimmed-data = resync)", e.Message);
                    await _checkpoints.ForgetAsync(cancellationToken).ConfigureAwait(false);
                    if (_settings.Cluster.Enabled)
                    {
                        // The other streams' leases went with their checkpoints: their nodes stop at their next renewal,
                        // and their fences end within a lease duration. Only then may the targets be dropped and copied
                        // again, so no write of the old generation lands after the new copy.
                        await Task.Delay(_settings.Cluster.LeaseDuration, cancellationToken).ConfigureAwait(false);
                    }
                    state = new MongoSyncState(state.Generation + 1, MongoSyncPhase.Starting, DateTime.UtcNow, null);
                    await _checkpoints.SaveStateAsync(state, cancellationToken).ConfigureAwait(false);
                }
                return (state, null);
            case MongoSyncPhase.Done when _settings.Mode != SyncMode.Full:
                // The copy was made by a run in mode full; its start position was recorded before it, so the change
                // streams catch up from there (idempotently) as they would have right after the copy.
                _logger.LogInformation("the copy was made in mode full (generation {Generation}); following the change streams from the position recorded before it",
                    state.Generation);
                state = state with { Phase = MongoSyncPhase.Incremental };
                await _checkpoints.SaveStateAsync(state, cancellationToken).ConfigureAwait(false);
                return (state, null);
            default:
                return (null, new MongoSyncEnded(true, "full sync finished (mode full)"));
        }
    }

    /// <summary>Reads and saves each change stream's current resume token: from here on, nothing made on the source can be missed.</summary>
    private async Task RecordStartAsync(int generation, CancellationToken cancellationToken)
    {
        foreach (var unit in await _streams.UnitsAsync(_map, cancellationToken).ConfigureAwait(false))
        {
            var token = await _streams.CurrentPositionAsync(unit, cancellationToken).ConfigureAwait(false);
            await _checkpoints.SaveStartAsync(unit, generation, token, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("change stream {Unit}: start position recorded before the copy ({Token})", unit, token.ToJson());
        }
    }

    /// <summary>The DB-syncer actors copy every selected collection not yet done (planned by an earlier run or not).</summary>
    private async Task CopyAsync(int generation, bool dropTargets, CancellationToken cancellationToken)
    {
        var checkpointed = (await _checkpoints.LoadCollectionsAsync(generation, cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.Namespace);
        var listed = await ListSelectedAsync(cancellationToken).ConfigureAwait(false);
        var collections = listed.Where(c => !checkpointed.TryGetValue(c.Namespace.FullName, out var p) || !p.Done)
            .Select(c => new CollectionToCopy(c.Namespace, c.Entry))
            // Planned by an earlier run and gone from the source since: its ranges still end, and mark it done.
            .Concat(checkpointed.Values.Where(c => !c.Done && listed.All(l => l.Namespace.FullName != c.Namespace))
                .Select(c => new CollectionToCopy(Namespaces.Parse(c.Namespace), null)))
            .OrderBy(c => c.Source.FullName, StringComparer.Ordinal).ToList();
        var services = CopyServices(generation, dropTargets);
        var copied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var root = _system.ActorOf(DbSyncersActor.Props(services, collections, _mongo.Copiers, () => copied.TrySetResult()),
            $"db-syncers-{generation}-{Interlocked.Increment(ref _runs)}");
        try
        {
            await copied.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await StopAsync(root).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the DB-syncers of <paramref name="generation"/> share. In a cluster (<c>cluster.enabled</c>) the coordinator's
    /// collection actors only plan and the members' sharded unit entities copy the ranges (<see cref="MongoLeasedWork"/>).
    /// </summary>
    internal DbSyncerServices CopyServices(int generation, bool dropTargets)
    {
        var planner = new CollectionPlanner(_source, _target, _checkpoints, Preparer, _map, _mongo, generation, dropTargets, _logger);
        var copier = new RangeCopier(_source, _target, _checkpoints, DeadLetters(), _limiter, Math.Max(1, _settings.FullSync.ItemsPerSecond), _mongo.BatchSize, Drain);
        return new DbSyncerServices(planner, copier, Preparer, _checkpoints, _mongo, generation, _metrics, _restarts, _loggers, RangesLeased: _settings.Cluster.Enabled);
    }

    private MongoDeadLetters DeadLetters() =>
        new(_checkpoints.Database.GetCollection<BsonDocument>(_settings.DeadLetterCollection), _metrics, _loggers.CreateLogger<MongoDeadLetters>());

    /// <summary>
    /// Stops an actor tree and waits for it. After a graceful stop's drain no batch is in flight; otherwise (the drain
    /// timed out, or the singleton moved) the batch in flight is cancelled and its checkpoint stays before it.
    /// </summary>
    private static async Task StopAsync(IActorRef root)
    {
        try
        {
            await root.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
        }
    }

    /// <summary>The source's collections and views the filter selects, with their listCollections entries.</summary>
    private async Task<List<(CollectionNamespace Namespace, BsonDocument Entry)>> ListSelectedAsync(CancellationToken cancellationToken)
    {
        var selected = new List<(CollectionNamespace, BsonDocument)>();
        var databases = await (await _source.ListDatabaseNamesAsync(cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var database in databases.Where(_map.MayInclude))
        {
            var entries = await (await _source.GetDatabase(database).ListCollectionsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                var ns = new CollectionNamespace(database, entry["name"].AsString);
                if (_map.Includes(ns)) selected.Add((ns, entry));
            }
        }
        return selected;
    }

    /// <summary>
    /// One change stream actor per recorded stream, until the run stops or a resume point is lost (thrown). In a cluster
    /// the streams are leased units instead: they are made leasable, the members' sharded unit entities follow them
    /// (<see cref="MongoLeasedWork"/>), and this watches their checkpoints for a lost resume point their nodes report.
    /// </summary>
    private async Task FollowAsync(int generation, CancellationToken cancellationToken)
    {
        var starts = await _checkpoints.LoadStreamsAsync(generation, cancellationToken).ConfigureAwait(false);
        if (starts.Count == 0) throw new InvalidOperationException($"no change stream position recorded for generation {generation}");
        if (_settings.Cluster.Enabled)
        {
            await FollowLeasedAsync(generation, cancellationToken).ConfigureAwait(false);
            return;
        }
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var root = _system.ActorOf(ChangeStreamsActor.Props(StreamServices(generation), starts.Select(s => s.Unit).ToList(), e => lost.TrySetException(e)),
            $"change-streams-{generation}-{Interlocked.Increment(ref _runs)}");
        try
        {
            // The first lost resume point stops all the streams.
            await lost.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await StopAsync(root).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan LostStreamPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The streams of <paramref name="generation"/> go to the members' sharded unit entities; returns never, throws the first lost resume point reported.</summary>
    private async Task FollowLeasedAsync(int generation, CancellationToken cancellationToken)
    {
        await _checkpoints.MakeStreamsLeasableAsync(generation, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("change streams of generation {Generation} handed to the cluster's sharded unit entities", generation);
        while (true)
        {
            if (await _checkpoints.FindLostStreamAsync(generation, cancellationToken).ConfigureAwait(false) is { } lost)
                throw new ResumePointLostException(lost.Unit, lost.Detail);
            await Task.Delay(LostStreamPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The run stops in a cluster as it stops on one node, where its change stream actors stop with it: every stream of
    /// <paramref name="generation"/> is marked stopped and its lease revoked, so no member takes it again and its holder
    /// stops at its next renewal; its fence ends within a lease duration at the latest, and only then is the run's end reported.
    /// </summary>
    private async Task StopLeasedStreamsAsync(int generation, string reason, CancellationToken cancellationToken)
    {
        await _checkpoints.StopStreamsAsync(generation, reason, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("change streams of generation {Generation} stopped on every member; the run ends once their leases have run out", generation);
        await Task.Delay(_settings.Cluster.LeaseDuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the change stream actors of <paramref name="generation"/> share (on this node: a leased stream's too).</summary>
    internal ChangeStreamServices StreamServices(int generation)
    {
        var applier = new ChangeApplier(_target, _map, _mongo, Preparer, DeadLetters(), _logger);
        var follower = new ChangeStreamFollower(_streams, applier, _checkpoints, _metrics, Drain);
        return new ChangeStreamServices(follower, _checkpoints, generation, _metrics, _restarts, _loggers);
    }

    public void Dispose() => _limiter?.Dispose();
}
