using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.ShardActors.Apply;
using Replication.ShardActors.Tables;

namespace Replication.ShardActors.Streams;

/// <summary>
/// Follows one stream shard. Before the full sync it learns where incremental sync must start (the first record after
/// a LATEST iterator) and waits; then it reads with GetRecords — never faster than min-poll-interval, backing off
/// while idle — applies each batch, and checkpoints the batch's last sequence number. When the shard closes it is
/// marked Done and the shard's children are started as this actor's children.
/// </summary>
public sealed partial class ShardActor : ReceiveActor, IWithTimers
{
    private readonly ReplicationServices _services;
    private readonly TableContext _table;
    private readonly IActorRef _tableActor;
    private readonly ShardDescription _shard;
    private readonly TargetWriter _writer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ShardStartMode _mode;
    private string? _iterator;
    private SequenceNumber? _start;
    private SequenceNumber? _lastApplied;
    private TimeSpan _idleDelay;
    private bool _positionNeverLearned;
    private DateTimeOffset? _fullSyncStartedAt;
    private bool _oldestRecordUnchecked;
    private DateTimeOffset? _probeSince;
    private DateTimeOffset _lastCall = DateTimeOffset.MinValue;

    private readonly string? _latestIterator;
    private readonly LeaseFence? _fence;

    public ShardActor(ReplicationServices services, TableContext table, IActorRef tableActor, ShardDescription shard, ShardStartMode mode, string? latestIterator = null,
        LeaseFence? fence = null)
    {
        _latestIterator = latestIterator;
        _fence = fence;
        _services = services;
        _table = table;
        _tableActor = tableActor;
        _shard = shard;
        _mode = mode;
        _idleDelay = services.Settings.Incremental.MinPollInterval;
        Log = ActorLog.For(services.Loggers, Context);
        _writer = new TargetWriter(table.TargetIn(services.Target), services.Checkpoints, table.Table, "stream", table.Keys,
            services.Loggers.CreateLogger<ShardActor>(), new TargetWriterOptions { StaleDocuments = services.Settings.StaleDocuments }, fence);
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    /// <param name="latestIterator">For <see cref="ShardStartMode.Prepare"/>: the LATEST iterator the table took before its scan began.</param>
    /// <param name="fence">In a cluster, the lease this node holds on the shard: every write goes through it, and every position write is conditional on it.</param>
    public static Props Props(ReplicationServices services, TableContext table, IActorRef tableActor, ShardDescription shard, ShardStartMode mode, string? latestIterator = null,
        LeaseFence? fence = null) =>
        Akka.Actor.Props.Create(() => new ShardActor(services, table, tableActor, shard, mode, latestIterator, fence))
            .WithSupervisorStrategy(WorkerSupervision.Strategy);

    private string ShardId => _shard.ShardId;
    private string StreamArn => _table.StreamArn ?? throw new InvalidOperationException($"table '{_table.Table}' has no stream");
    private CancellationToken Stopping => _stopping.Token;

    protected override void PreStart()
    {
        if (_services.Restarts.ShouldStop(Unit, out var failure)) StopAsFailed(failure);
        else Self.Tell(new Start());
    }

    /// <summary>After a failure: stop for good when the shard keeps failing at one position, else start again after the back-off.</summary>
    protected override void PostRestart(Exception reason)
    {
        if (_services.Restarts.ShouldStop(Unit, out var failure)) StopAsFailed(failure);
        else Timers.StartSingleTimer("start", new Start(), RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit)));
    }

    private string Unit => RestartLedger.ShardUnit(_table.Table, ShardId);

    protected override void PreRestart(Exception reason, object message)
    {
        // A shard's position is its last applied record: a restart after it moved on starts a new count.
        _services.Restarts.RecordRestart(Unit, (_lastApplied ?? _start)?.ToString(), movedOn: false, reason);
        base.PreRestart(reason, message);
    }

    /// <summary>A poison record: this shard stays where it is, marked failed; its table's other shards run on.</summary>
    private void StopAsFailed(UnitFailure failure)
    {
        StoppedUnits.Announce(_services, Log, _table.Table, $"shard {ShardId}", failure);
        Become(() =>
        {
            Receive<Status.Failure>(f => Log.LogWarning("table {Table} shard {Shard}: its failure could not be recorded in the checkpoint: {Error}", _table.Table, ShardId, f.Cause.Message));
            Receive<Status.Success>(_ => { });
            Receive<BeginIncremental>(_ => { });
        });
        _fence.GuardAsync(token => _services.Checkpoints.MarkShardFailedAsync(_table.Table, ShardId, failure, _fence?.Claim, token), Stopping).PipeTo(Self);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _services.Metrics.ShardFinished(_table.Table, ShardId);
    }

    private void Starting()
    {
        ReceiveAsync<Start>(async _ =>
        {
            var checkpoint = await _services.Checkpoints.GetShardAsync(_table.Table, ShardId, Stopping);
            if (checkpoint is null)
            {
                await _fence.GuardAsync(token => _services.Checkpoints.RegisterShardAsync(_table.Table, StreamArn, ShardId, _shard.ParentShardId, ShardStatus.NotStarted, token), Stopping);
            }
            else if (checkpoint.Status is ShardStatus.Done or ShardStatus.Skipped)
            {
                _tableActor.Tell(new ShardClosed(ShardId), Self);
                Become(Closed);
                return;
            }
            _start = checkpoint?.StartSequenceNumber;
            _lastApplied = checkpoint?.SequenceNumber;
            _positionNeverLearned = checkpoint is { Status: ShardStatus.Prepared, StartSequenceNumber: null };
            if (_positionNeverLearned)
                _fullSyncStartedAt = (await _services.Checkpoints.GetTableAsync(_table.Table, Stopping))?.FullSync.StartedAt;

            // A probe that restarts starts over as a probe: it never applies anything before its table tells it the full
            // sync is done. Probing again with the iterator the table took before its scan is right even when that
            // iterator expired: the probe then reads from TRIM_HORIZON, which begins no later.
            if (_mode == ShardStartMode.Prepare && _start is null && _lastApplied is null && _latestIterator is not null)
            {
                _iterator = _latestIterator;
                _probeSince = _services.Clock.GetUtcNow();
                Become(Preparing);
                SchedulePoll(TimeSpan.Zero);
                return;
            }
            if (_mode == ShardStartMode.Prepare)
            {
                // Prepared by an earlier run (or restarted without its iterator): wait for the full sync, then start from
                // the learned position, or TRIM_HORIZON when none was learned.
                _tableActor.Tell(new ShardPrepared(ShardId, _start), Self);
                Become(WaitingForIncremental);
                return;
            }
            await BeginProcessingAsync();
        });
        Receive<Status.Failure>(failure => throw failure.Cause);
    }

    private async Task BeginProcessingAsync()
    {
        _iterator = await AcquireIteratorAsync();
        Become(Processing);
        SchedulePoll(TimeSpan.Zero);
    }

    /// <summary>The iterator that resumes exactly after what was applied: never a stored iterator, only positions.</summary>
    private Task<string> AcquireIteratorAsync()
    {
        if (_lastApplied is { } last)
            return _services.Streams.GetShardIteratorAsync(StreamArn, ShardId, ShardIteratorType.AfterSequenceNumber, last, Stopping);
        if (_start is { } start)
            return _services.Streams.GetShardIteratorAsync(StreamArn, ShardId, ShardIteratorType.AtSequenceNumber, start, Stopping);
        if (_positionNeverLearned)
        {
            Log.LogWarning("table {Table} shard {Shard}: no start position was learned before the full sync; reading from TRIM_HORIZON, the oldest record " +
                "the stream still has, and checking that record's age: if it is newer than the full sync's start ({FullSyncStart}) and that start is older than " +
                "the stream's retention, changes may have been trimmed and the table is handled as a stream gap", _table.Table, ShardId, _fullSyncStartedAt);
            _oldestRecordUnchecked = true;
        }
        // Reading from the oldest record on: a "trimmed" answer before anything was applied is treated as a probe's is.
        _probeSince ??= _services.Clock.GetUtcNow();
        return _services.Streams.GetShardIteratorAsync(StreamArn, ShardId, ShardIteratorType.TrimHorizon, null, Stopping);
    }

    private void SchedulePoll(TimeSpan delay)
    {
        // DynamoDB allows 5 GetRecords calls per second per shard: keep at least min-poll-interval between calls.
        var sinceLast = _services.Clock.GetUtcNow() - _lastCall;
        var floor = _services.Settings.Incremental.MinPollInterval - sinceLast;
        var wait = delay > floor ? delay : floor;
        if (wait <= TimeSpan.Zero) Self.Tell(new Poll());
        else Timers.StartSingleTimer("poll", new Poll(), wait);
    }

    private void Fetch(int limit)
    {
        if (_services.Drain.IsDraining) return; // stopping: no new GetRecords
        _lastCall = _services.Clock.GetUtcNow();
        var iterator = _iterator ?? throw new InvalidOperationException("no shard iterator");
        _services.Streams.GetRecordsAsync(iterator, _table.Converter, limit, Stopping)
            .PipeTo(Self, success: page => new RecordsFetched(page));
    }

    private void ScheduleAfter(StreamRecordsPage page)
    {
        if (page.Records.Count == 0)
        {
            SchedulePoll(_idleDelay);
            var doubled = _idleDelay * 2;
            _idleDelay = doubled < _services.Settings.Incremental.MaxIdleBackoff ? doubled : _services.Settings.Incremental.MaxIdleBackoff;
        }
        else
        {
            _idleDelay = _services.Settings.Incremental.MinPollInterval;
            SchedulePoll(TimeSpan.Zero);
        }
    }

    private sealed record Start;

    private sealed record Poll;

    private sealed record RecordsFetched(StreamRecordsPage Page);
}
