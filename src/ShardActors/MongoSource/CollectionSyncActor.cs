using Akka.Actor;
using Microsoft.Extensions.Logging;
using Replication.Configuration;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// A DB-syncer for one collection: plans it (target created, indexes before, <c>_id</c> ranges saved) unless an earlier
/// run did, then copies its unfinished ranges with one <see cref="RangeCopierActor"/> child per range, each started when
/// the parent grants a copier slot; when the last range is done it builds the indexes (when after) and marks the
/// collection done. In a cluster (<see cref="DbSyncerServices.RangesLeased"/>) it makes the ranges leasable instead and
/// watches their checkpoints until every one is done, wherever the members' unit entities copied them. A failure
/// restarts it after the workers' back-off; it then carries on from the checkpoints.
/// </summary>
public sealed class CollectionSyncActor : ReceiveActor, IWithTimers
{
    private readonly DbSyncerServices _services;
    private readonly CollectionToCopy _collection;
    private readonly Queue<RangeCheckpoint> _pending = new();
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    // Null until this instance has read the checkpoints: a grant before that (asked for by an earlier instance) is handed back.
    private bool? _planned;
    private int _slotsHeld;

    public CollectionSyncActor(DbSyncerServices services, CollectionToCopy collection)
    {
        _services = services;
        _collection = collection;
        Log = ActorLog.For(services.Loggers, Context);

        ReceiveAsync<Begin>(_ => BeginAsync());
        ReceiveAsync<CopierSlotGranted>(_ => SlotGrantedAsync());
        ReceiveAsync<RangeCopied>(copied => RangeCopiedAsync(copied.RangeId));
        ReceiveAsync<CheckLeasedRanges>(_ => CheckLeasedRangesAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    private string Namespace => _collection.Source.FullName;

    private string Unit => $"{Namespace} collection";

    public static Props Props(DbSyncerServices services, CollectionToCopy collection) =>
        Akka.Actor.Props.Create(() => new CollectionSyncActor(services, collection)).WithSupervisorStrategy(WorkerSupervision.Strategy);

    protected override void PreStart() => Self.Tell(new Begin());

    protected override void PreRestart(Exception reason, object message)
    {
        _services.Restarts.RecordRestart(Unit, position: null, movedOn: false, reason);
        _services.Metrics.Error(Namespace, "copy");
        // The range children stop with this instance; the slots they and the planning held go back to the pool.
        if (_slotsHeld > 0) Context.Parent.Tell(new CopierSlotsReturned(_slotsHeld));
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        var delay = RestartBackoff.Workers.DelayFor(_services.Restarts.RestartsInARow(Unit));
        Log.LogWarning("copy of {Namespace}: {Error}; carrying on from its checkpoints in {Delay}", Namespace, reason.Message, delay);
        Timers.StartSingleTimer("begin", new Begin(), delay);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task BeginAsync()
    {
        var checkpoint = (await _services.Checkpoints.LoadCollectionsAsync(_services.Generation, _stopping.Token))
            .SingleOrDefault(c => c.Namespace == Namespace);
        if (checkpoint is { Done: true })
        {
            Context.Parent.Tell(new CollectionCopied(Namespace));
            return;
        }
        _planned = checkpoint is not null;
        if (_planned == true) await QueueRangesAsync();
        else WantSlots(1);
    }

    private async Task SlotGrantedAsync()
    {
        _slotsHeld++;
        if (_planned is null)
        {
            ReturnSlot();
            return;
        }
        if (_planned == false)
        {
            if (_collection.Entry is null) throw new InvalidOperationException($"{Namespace} has no plan and no listCollections entry to plan it from");
            await _services.Planner.PlanAsync(_collection.Source, _collection.Entry, _stopping.Token);
            _planned = true;
            _services.Restarts.Recovered(Unit);
            ReturnSlot();
            await QueueRangesAsync();
            return;
        }
        if (!_pending.TryDequeue(out var range))
        {
            ReturnSlot(); // granted for a request an earlier instance of this actor made
            return;
        }
        _running.Add(range.Id);
        Context.ActorOf(RangeCopierActor.Props(_services, range), $"range-{range.Index}");
    }

    private async Task QueueRangesAsync()
    {
        var ranges = (await _services.Checkpoints.LoadRangesAsync(_services.Generation, _stopping.Token))
            .Where(r => r.Namespace == Namespace && !r.Done).OrderBy(r => r.Index).ToList();
        if (_services.RangesLeased && ranges.Count > 0)
        {
            await _services.Checkpoints.MakeRangesLeasableAsync(_services.Generation, Namespace, _stopping.Token);
            Timers.StartPeriodicTimer("leased-ranges", new CheckLeasedRanges(), LeasedRangesCheckInterval);
            return;
        }
        foreach (var range in ranges) _pending.Enqueue(range);
        if (ranges.Count == 0) await FinishAsync();
        else WantSlots(ranges.Count);
    }

    private static readonly TimeSpan LeasedRangesCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>In a cluster: the collection is finished once the unit entities marked every one of its ranges done.</summary>
    private async Task CheckLeasedRangesAsync()
    {
        var ranges = await _services.Checkpoints.LoadRangesAsync(_services.Generation, _stopping.Token);
        if (ranges.Any(r => r.Namespace == Namespace && !r.Done)) return;
        Timers.Cancel("leased-ranges");
        await FinishAsync();
    }

    private async Task RangeCopiedAsync(string rangeId)
    {
        if (!_running.Remove(rangeId)) return;
        ReturnSlot();
        if (_running.Count == 0 && _pending.Count == 0) await FinishAsync();
    }

    /// <summary>Indexes after the copy (when so configured), then the collection's checkpoint says done.</summary>
    private async Task FinishAsync()
    {
        var checkpoint = (await _services.Checkpoints.LoadCollectionsAsync(_services.Generation, _stopping.Token)).Single(c => c.Namespace == Namespace);
        if (!checkpoint.IndexesBuilt && _services.Settings.Indexes == IndexBuild.After)
            await _services.Preparer.CopyIndexesAsync(_collection.Source, Namespaces.Parse(checkpoint.Target), _stopping.Token);
        await _services.Checkpoints.MarkCollectionAsync(_services.Generation, Namespace, indexesBuilt: true, done: true, _stopping.Token);
        _services.Restarts.Recovered(Unit);
        Context.Parent.Tell(new CollectionCopied(Namespace));
    }

    private void WantSlots(int count)
    {
        for (var i = 0; i < count; i++) Context.Parent.Tell(new CopierSlotWanted());
    }

    private void ReturnSlot()
    {
        _slotsHeld--;
        Context.Parent.Tell(new CopierSlotsReturned(1));
    }

    private sealed record Begin;

    private sealed record CheckLeasedRanges;
}
