using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Cluster;

/// <summary>
/// One work unit (a Scan segment, a stream shard or a MongoDB <c>_id</c> range) as an Akka Cluster Sharding entity. Sharding
/// decides where it runs; the unit's lease in its checkpoint document decides whether it may write: the entity takes the
/// lease (only once it is free, or seen expired by this node), runs the unit's actor under a <see cref="LeaseFence"/> —
/// every write of the unit goes through it — and renews the lease every <c>lease-renew-interval</c>. When the lease is lost
/// or not renewed in time, when the unit ends, and on sharding's hand-off (rebalance, a region leaving), it stops the unit's
/// actor and revokes the fence, waiting for the writes in flight, before it hands the lease back and stops.
/// </summary>
public sealed class UnitEntity : ReceiveActor, IWithTimers
{
    private readonly WorkUnitNode _node;
    private readonly string _unitId;
    private readonly long _createdAt;
    private readonly CancellationTokenSource _stopping = new();
    private HeldUnit? _held;
    private bool _waitingForListing;
    private bool _passivating;

    public UnitEntity(WorkUnitNode node, string unitId)
    {
        _node = node;
        _unitId = unitId;
        _createdAt = node.Work.Clock.GetTimestamp();
        Log = ActorLog.For(node.Work.Loggers, Context);

        ReceiveAsync<StartUnit>(_ => TryTakeAsync());
        ReceiveAsync<UnitListing>(_ => TryTakeAsync());
        ReceiveAsync<Renew>(_ => RenewAsync());
        ReceiveAsync<HandOffUnit>(_ => HandOffAsync());
        ReceiveAsync<SegmentCopied>(_ => FinishAsync(Sender));
        ReceiveAsync<ShardClosed>(_ => FinishAsync(Sender));
        ReceiveAsync<StreamGapDetected>(gap => ReportGapAsync(gap, Sender));
        Receive<SegmentPageWritten>(_ => { });
        Receive<ShardPrepared>(_ => { });
        ReceiveAsync<Terminated>(terminated => FinishAsync(terminated.ActorRef));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    private ClusterContext Cluster => _node.Cluster;
    private TimeSpan LeaseDuration => Cluster.Settings.LeaseDuration;
    private CancellationToken Stopping => _stopping.Token;

    public static Props Props(WorkUnitNode node, string unitId) => Akka.Actor.Props.Create(() => new UnitEntity(node, unitId));

    // A restarted unit waits out its own back-off (RestartBackoff.Workers) before it begins again.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        // A refused checkpoint write, or a write the fence stopped, means the lease changed hands (or may have):
        // this node must not touch the unit again.
        if (Caused<CheckpointConflictException>(cause) || Caused<LeaseLostException>(cause)) return Directive.Stop;
        if (WorkerSupervision.IsTableGone(cause)) return Directive.Stop;
        return Directive.Restart;
    });

    /// <summary>
    /// Stopped without a hand-off (its shard lost its lease, the actor system terminated): the unit's actor stops with this
    /// one and no write of it starts any more; the lease is left to expire, as a crash would leave it.
    /// </summary>
    protected override void PostStop()
    {
        StopWaitingForListings();
        _stopping.Cancel();
        _stopping.Dispose();
        if (_held is not { } held) return;
        _held = null;
        if (!held.Fence.IsValid) Log.LogWarning("node {Node}: lease {Lease} was not renewed in time; its work stopped with its shard", Cluster.NodeId, _unitId);
        else Log.LogWarning("node {Node}: the shard of lease {Lease} stopped; its work stopped, and the lease expires on its own", Cluster.NodeId, _unitId);
        _ = held.Fence.RevokeAsync().ContinueWith(_ => held.Fence.Dispose(), TaskScheduler.Default);
    }

    /// <summary>
    /// Takes the unit's lease if this node's latest listing shows it free or expired, and runs the unit; otherwise waits
    /// for the next listing. A unit missing from a listing begun after this entity started is finished (or gone): passivate.
    /// </summary>
    private async Task TryTakeAsync()
    {
        if (_held is not null || _passivating) return;
        if (_node.Work.IsDraining)
        {
            Passivate();
            return;
        }
        if (_node.Listings.Latest is not { } listing || listing.Units.GetValueOrDefault(_unitId) is not { } unit)
        {
            if (_node.Listings.Latest is { } seen && seen.StartedAt > _createdAt) Passivate();
            else WaitForListings();
            return;
        }
        if (unit.IsHeld)
        {
            // Held by a live holder, or not yet seen unrenewed for a whole lease duration: never taken from under it.
            WaitForListings();
            return;
        }
        try
        {
            var sentAt = _node.Work.Clock.GetTimestamp();
            var claimed = await Cluster.Leases.TryAcquireAsync(unit, Cluster.NodeId, LeaseDuration, steal: false, Stopping);
            if (claimed is null)
            {
                WaitForListings(); // changed since it was listed: the next listing tells by whom
                return;
            }
            await StartAsync(unit.Key, new LeaseFence(claimed, LeaseDuration, sentAt, _node.Work.Clock));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not take lease {Lease}: {Error}", Cluster.NodeId, _unitId, e.Message);
            WaitForListings();
        }
    }

    private async Task StartAsync(LeaseKey key, LeaseFence fence)
    {
        var start = await _node.Work.StartAsync(key, fence, Self, Stopping);
        if (start is null)
        {
            fence.Dispose();
            await Cluster.Leases.ReleaseAsync(key, fence.Claim, Stopping);
            Passivate();
            return;
        }
        var name = Uri.EscapeDataString($"{key.Kind.ToString().ToLowerInvariant()}-{fence.Claim.Counter}");
        var actor = Context.ActorOf(start.Props, name);
        Context.Watch(actor);
        _held = new HeldUnit(key, fence, actor, start.Generation);
        StopWaitingForListings();
        Timers.StartPeriodicTimer("renew", new Renew(), Cluster.Settings.LeaseRenewInterval);
        Log.LogInformation("node {Node}: took lease {Lease} (counter {Counter})", Cluster.NodeId, key.Id, fence.Claim.Counter);
    }

    private async Task RenewAsync()
    {
        if (_held is not { } held) return;
        if (!held.Fence.IsValid)
        {
            // Paused, or starved, past the fence: another node may own the unit already.
            Log.LogWarning("node {Node}: lease {Lease} was not renewed in time; stopping its work", Cluster.NodeId, _unitId);
            await HandBackAsync();
            Passivate();
            return;
        }
        var sentAt = _node.Work.Clock.GetTimestamp();
        try
        {
            if (await Cluster.Leases.RenewAsync(held.Key, held.Fence.Claim, LeaseDuration, Stopping))
            {
                if (held.Fence.Renewed(sentAt)) return;
                Log.LogWarning("node {Node}: lease {Lease} expired before its renewal came back; stopping its work", Cluster.NodeId, _unitId);
                await HandBackAsync();
            }
            else
            {
                Log.LogWarning("node {Node}: lease {Lease} was taken by another node, or its unit was stopped or replaced; stopping its work", Cluster.NodeId, _unitId);
                await DropAsync();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Another node may take the lease once it expires: stop while it is certainly still ours.
            if (held.Fence.Remaining > Cluster.Settings.LeaseRenewInterval) return;
            Log.LogWarning("node {Node}: could not renew lease {Lease} in time ({Error}); stopping its work before it expires", Cluster.NodeId, _unitId, e.Message);
            await DropAsync();
        }
        Passivate();
    }

    /// <summary>The unit finished (or its actor stopped): hand the lease back so another run may take it at once, and passivate.</summary>
    private async Task FinishAsync(IActorRef? actor)
    {
        if (_held is null || !_held.Actor.Equals(actor)) return;
        await HandBackAsync();
        Passivate();
    }

    /// <summary>The table's owner (on the coordinator's node) decides what a gap means; the shard stops here.</summary>
    private async Task ReportGapAsync(StreamGapDetected gap, IActorRef? actor)
    {
        if (_held is not { } held || !held.Actor.Equals(actor)) return;
        try
        {
            await _node.Work.ReportGapAsync(held.Key, held.Generation, gap, held.Fence, Stopping);
        }
        catch (LeaseLostException e)
        {
            Log.LogWarning("node {Node}: the gap in {Lease} was not reported ({Error}); the shard's next owner finds it again", Cluster.NodeId, _unitId, e.Message);
        }
        await FinishAsync(actor);
    }

    /// <summary>Sharding hands the entity's shard off (or completes its passivation): the lease goes back only after the unit's writes ended.</summary>
    private async Task HandOffAsync()
    {
        if (_held is not null)
        {
            Log.LogInformation("node {Node}: handing lease {Lease} off", Cluster.NodeId, _unitId);
            await HandBackAsync();
        }
        Context.Stop(Self);
    }

    /// <summary>Stops the unit, waits for its writes in flight to end, then hands its lease back.</summary>
    private async Task HandBackAsync()
    {
        if (_held is not { } held) return;
        await DropAsync();
        try
        {
            await Cluster.Leases.ReleaseAsync(held.Key, held.Fence.Claim, Stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not hand back lease {Lease} ({Error}); it expires on its own", Cluster.NodeId, _unitId, e.Message);
        }
    }

    /// <summary>Stops the unit's actor and revokes its fence: no write of it starts any more, and the ones in flight have ended when this returns.</summary>
    private async Task DropAsync()
    {
        if (_held is not { } held) return;
        _held = null;
        Timers.Cancel("renew");
        Context.Unwatch(held.Actor);
        Context.Stop(held.Actor);
        await held.Fence.RevokeAsync();
        held.Fence.Dispose();
    }

    /// <summary>Asks the shard to stop this entity (it answers with <see cref="HandOffUnit"/>); a later <see cref="StartUnit"/> starts it again.</summary>
    private void Passivate()
    {
        if (_passivating) return;
        _passivating = true;
        StopWaitingForListings();
        Context.Parent.Tell(new Passivate(HandOffUnit.Instance));
    }

    private void WaitForListings()
    {
        if (_waitingForListing) return;
        _waitingForListing = true;
        Context.System.EventStream.Subscribe(Self, typeof(UnitListing));
    }

    private void StopWaitingForListings()
    {
        if (!_waitingForListing) return;
        _waitingForListing = false;
        Context.System.EventStream.Unsubscribe(Self, typeof(UnitListing));
    }

    private static bool Caused<T>(Exception? e) where T : Exception => e is not null && (e is T || Caused<T>(e.InnerException));

    private sealed record HeldUnit(LeaseKey Key, LeaseFence Fence, IActorRef Actor, int Generation);

    private sealed record Renew;
}
