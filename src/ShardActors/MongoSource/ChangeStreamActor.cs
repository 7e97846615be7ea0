using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Cluster;
using Replication.Metrics;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.MongoSource;

/// <summary>What the change stream actors share.</summary>
public sealed record ChangeStreamServices(ChangeStreamFollower Follower, MongoSyncCheckpoints Checkpoints, int Generation, ReplicationMetrics Metrics,
    RestartLedger Restarts, ILoggerFactory Loggers);

/// <summary>A change stream's resume point left the source's oplog: the stream cannot go on (incremental.on-trimmed-data decides).</summary>
public sealed record ChangeStreamLost(ResumePointLostException Cause);

/// <summary>
/// Follows one change stream (the cluster's, or one database's) from its checkpoint, read afresh on every start. A
/// failure crashes the actor; its supervisor restarts it and it reopens the stream from the checkpoint after the
/// workers' back-off. A lost resume point is not retried: the parent hears of it — or, for a leased stream (in a
/// cluster, run by a member's unit entity under the stream's fence), the entity, as a <see cref="StreamGapDetected"/>
/// it reports through the fence to the checkpoint the coordinator watches. A leased stream whose checkpoint is gone (a
/// re-sync replaced it) stops, and its lease is handed back.
/// </summary>
public sealed class ChangeStreamActor : ReceiveActor, IWithTimers
{
    private readonly ChangeStreamServices _services;
    private readonly string _unit;
    private readonly LeaseFence? _fence;
    private readonly IActorRef? _worker;
    private readonly CancellationTokenSource _stopping = new();
    private bool _movedOn;

    /// <param name="fence">Set when the stream is leased: its writes go through the fence.</param>
    /// <param name="worker">The unit entity running a leased stream: it hears of a lost resume point.</param>
    public ChangeStreamActor(ChangeStreamServices services, string unit, LeaseFence? fence = null, IActorRef? worker = null)
    {
        _services = services;
        _unit = unit;
        _fence = fence;
        _worker = worker;
        Log = ActorLog.For(services.Loggers, Context);

        Receive<BatchApplied>(_ =>
        {
            if (_movedOn) return;
            _movedOn = true;
            _services.Restarts.Recovered(Unit);
        });
        Receive<Status.Failure>(failure =>
        {
            if (failure.Cause is ResumePointLostException lost)
            {
                if (_worker is not null)
                {
                    Log.LogError("{Error}; reporting it to the coordinator, which re-syncs or stops (incremental.on-trimmed-data)", lost.Message);
                    _worker.Tell(new StreamGapDetected(lost.Unit, lost.Detail));
                }
                else Context.Parent.Tell(new ChangeStreamLost(lost));
                return;
            }
            _services.Metrics.Error(_unit, "change-stream");
            throw new ChangeStreamException(_unit, failure.Cause);
        });
        Receive<Gone>(_ =>
        {
            Log.LogInformation("change stream {Unit}: its checkpoint of generation {Generation} is gone (a re-sync replaced it); stopping", _unit, _services.Generation);
            Context.Stop(Self);
        });
        Receive<Begin>(_ => Run());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    private string Unit => $"change stream {_unit}";

    public static Props Props(ChangeStreamServices services, string unit, LeaseFence? fence = null, IActorRef? worker = null) =>
        Akka.Actor.Props.Create(() => new ChangeStreamActor(services, unit, fence, worker));

    protected override void PreStart() => Run();

    protected override void PreRestart(Exception reason, object message)
    {
        _services.Restarts.RecordRestart(Unit, position: null, _movedOn, reason);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        var delay = RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit));
        Log.LogWarning("{Error}; reopening from its checkpoint in {Delay}", reason.Message, delay);
        Timers.StartSingleTimer("begin", new Begin(), delay);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Run()
    {
        var self = Self;
        RunAsync(self).PipeTo(self);
    }

    private async Task RunAsync(IActorRef self)
    {
        var start = await _services.Checkpoints.FindStreamAsync(_unit, _services.Generation, _stopping.Token).ConfigureAwait(false);
        if (start is null)
        {
            if (_fence is not null)
            {
                self.Tell(new Gone());
                return;
            }
            throw new InvalidOperationException($"no position recorded for change stream '{_unit}' (generation {_services.Generation})");
        }
        await _services.Follower.RunAsync(start, _ => self.Tell(new BatchApplied()), _fence, _stopping.Token).ConfigureAwait(false);
    }

    private sealed record BatchApplied;

    private sealed record Gone;

    private sealed record Begin;
}

public sealed class ChangeStreamException(string unit, Exception inner) : Exception($"change stream {unit}: {inner.Message}", inner);

/// <summary>
/// The incremental phase's root: one <see cref="ChangeStreamActor"/> per stream, restarted with back-off by
/// <see cref="WorkerSupervision"/>; the first lost resume point is handed to <paramref name="lost"/>.
/// </summary>
public sealed class ChangeStreamsActor : ReceiveActor
{
    private readonly ChangeStreamServices _services;
    private readonly IReadOnlyList<string> _units;

    public ChangeStreamsActor(ChangeStreamServices services, IReadOnlyList<string> units, Action<ResumePointLostException> lost)
    {
        _services = services;
        _units = units;
        Receive<ChangeStreamLost>(l => lost(l.Cause));
    }

    public static Props Props(ChangeStreamServices services, IReadOnlyList<string> units, Action<ResumePointLostException> lost) =>
        Akka.Actor.Props.Create(() => new ChangeStreamsActor(services, units, lost)).WithSupervisorStrategy(WorkerSupervision.Strategy);

    protected override void PreStart()
    {
        for (var i = 0; i < _units.Count; i++) Context.ActorOf(ChangeStreamActor.Props(_services, _units[i]), $"stream-{i}");
    }
}
