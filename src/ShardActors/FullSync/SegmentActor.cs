using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.Tables;

namespace Replication.ShardActors.FullSync;

/// <summary>The segment has no more pages: every item was written or dead-lettered, and the position says so.</summary>
public sealed record SegmentCopied(int Segment);

/// <summary>
/// A DB-syncer: copies one Scan segment of a table, resuming after the segment's last acknowledged page. A failure
/// crashes the actor; its supervisor restarts it with back-off and it resumes from the checkpoint again.
/// </summary>
public sealed class SegmentActor : ReceiveActor, IWithTimers
{
    private readonly ReplicationServices _services;
    private readonly TableContext _table;
    private readonly int _generation;
    private readonly int _segment;
    private readonly int _totalSegments;
    private readonly LeaseFence? _fence;
    private readonly CancellationTokenSource _stopping = new();
    private string? _position;
    private bool _movedOn;

    public SegmentActor(ReplicationServices services, TableContext table, int generation, int segment, int totalSegments, LeaseFence? fence = null)
    {
        _fence = fence;
        _services = services;
        _table = table;
        _generation = generation;
        _segment = segment;
        _totalSegments = totalSegments;
        Log = ActorLog.For(services.Loggers, Context);

        Receive<SegmentPageWritten>(page =>
        {
            _movedOn = true;
            Context.Parent.Tell(page);
        });
        Receive<Copied>(_ =>
        {
            Context.Parent.Tell(new SegmentCopied(_segment));
            Context.Stop(Self);
        });
        // The node is stopping: the last page written has its position saved; the next run resumes after it.
        Receive<Drained>(_ => { });
        Receive<Status.Failure>(failure => throw new SegmentCopyException(_table.Table, _segment, failure.Cause));
        Receive<Begin>(_ => Run());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    /// <param name="fence">In a cluster, the lease this node holds on the segment: every write goes through it, and every position write is conditional on it.</param>
    public static Props Props(ReplicationServices services, TableContext table, int generation, int segment, int totalSegments, LeaseFence? fence = null) =>
        Akka.Actor.Props.Create(() => new SegmentActor(services, table, generation, segment, totalSegments, fence));

    private string Unit => RestartLedger.SegmentUnit(_table.Table, _segment);

    protected override void PreStart() => Run();

    /// <summary>After a failure: stop for good when the unit keeps failing at one position, else begin again after the back-off.</summary>
    protected override void PostRestart(Exception reason)
    {
        if (_services.Restarts.ShouldStop(Unit, out var failure)) StopAsFailed(failure);
        else Timers.StartSingleTimer("begin", new Begin(), RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit)));
    }

    private void Run()
    {
        var self = Self;
        var copier = new SegmentCopier(_services, _table, _generation, _segment, _totalSegments, Log, _fence);
        RunAsync(copier, self).PipeTo(self, success: copied => copied ? new Copied() : new Drained());
    }

    private async Task<bool> RunAsync(SegmentCopier copier, IActorRef self)
    {
        // The position is read afresh on every (re)start: it is where the last acknowledged page ended.
        var checkpoint = await _services.Checkpoints.GetTableAsync(_table.Table, _stopping.Token).ConfigureAwait(false);
        var resumeAfter = checkpoint?.FullSync.Segments.GetValueOrDefault(_segment)?.LastEvaluatedKey;
        _position = resumeAfter;
        return await copier.RunAsync(resumeAfter, page => self.Tell(page), _stopping.Token).ConfigureAwait(false);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        _services.Restarts.RecordRestart(Unit, _position, _movedOn, reason);
        base.PreRestart(reason, message);
    }

    /// <summary>A poison page: this segment stays where it is, marked failed, and the table's full sync waits for it.</summary>
    private void StopAsFailed(UnitFailure failure)
    {
        StoppedUnits.Announce(_services, Log, _table.Table, $"segment {_segment}", failure);
        Become(() =>
        {
            Receive<Status.Failure>(f => Log.LogWarning("table {Table} segment {Segment}: its failure could not be recorded in the checkpoint: {Error}", _table.Table, _segment, f.Cause.Message));
            Receive<Status.Success>(_ => { });
        });
        _fence.GuardAsync(token => _services.Checkpoints.MarkSegmentFailedAsync(_table.Table, _generation, _segment, failure, _fence?.Claim, token), _stopping.Token).PipeTo(Self);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record Copied;

    private sealed record Drained;

    private sealed record Begin;
}

public sealed class SegmentCopyException(string table, int segment, Exception inner)
    : Exception($"table '{table}' segment {segment}: {inner.Message}", inner);
