using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Cluster;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// A DB-syncer for one <c>_id</c> range: copies it with <see cref="RangeCopier"/> from its checkpoint (read afresh on
/// every start) to its end, then tells its collection. A failure crashes the actor; its supervisor restarts it, and it
/// begins again after the workers' back-off — from the range's last acknowledged batch, so nothing is copied twice but
/// that batch's last document.
/// </summary>
public sealed class RangeCopierActor : ReceiveActor, IWithTimers
{
    private readonly DbSyncerServices _services;
    private readonly RangeCheckpoint _range;
    private readonly LeaseFence? _fence;
    private readonly CancellationTokenSource _stopping = new();
    private bool _movedOn;

    /// <param name="fence">Set when the range is leased (a cluster's unit entity runs it): its writes go through the fence.</param>
    public RangeCopierActor(DbSyncerServices services, RangeCheckpoint range, LeaseFence? fence = null)
    {
        _services = services;
        _range = range;
        _fence = fence;
        Log = ActorLog.For(services.Loggers, Context);

        Receive<BatchCopied>(batch =>
        {
            _movedOn = true;
            _services.Metrics.ItemsWritten(_range.Namespace, batch.Documents);
        });
        Receive<Copied>(_ =>
        {
            _services.Restarts.Recovered(Unit);
            Context.Parent.Tell(new RangeCopied(_range.Id));
            Context.Stop(Self);
        });
        Receive<Status.Failure>(failure =>
        {
            _services.Metrics.Error(_range.Namespace, "copy");
            throw new RangeCopyException(_range, failure.Cause);
        });
        Receive<Drained>(_ => { }); // the node is stopping: this actor stops with it, its range not done
        Receive<Begin>(_ => Run());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    /// <summary>The range's name in the restart ledger.</summary>
    public static string UnitOf(RangeCheckpoint range) => $"{range.Namespace} range {range.Index}";

    private string Unit => UnitOf(_range);

    public static Props Props(DbSyncerServices services, RangeCheckpoint range, LeaseFence? fence = null) =>
        Akka.Actor.Props.Create(() => new RangeCopierActor(services, range, fence));

    protected override void PreStart() => Run();

    protected override void PreRestart(Exception reason, object message)
    {
        _services.Restarts.RecordRestart(Unit, position: null, _movedOn, reason);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        var delay = RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit));
        Log.LogWarning("{Error}; retrying from its checkpoint in {Delay}", reason.Message, delay);
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
        RunAsync(self).PipeTo(self, success: finished => finished ? new Copied() : new Drained());
    }

    /// <summary>True when the range is copied to its end; false when the node's stop came first (the range is not done).</summary>
    private async Task<bool> RunAsync(IActorRef self)
    {
        var current = await _services.Copier.ReloadAsync(_range, _stopping.Token).ConfigureAwait(false);
        if (current.Done) return true;
        return await _services.Copier.CopyAsync(current, n => self.Tell(new BatchCopied(n)), _fence, _stopping.Token).ConfigureAwait(false);
    }

    private sealed record BatchCopied(long Documents);

    private sealed record Copied;

    private sealed record Drained;

    private sealed record Begin;
}

public sealed class RangeCopyException(RangeCheckpoint range, Exception inner)
    : Exception($"copy of {range.Namespace} range {range.Index}: {inner.Message}", inner);
