using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Cluster;

/// <summary>Node → lease worker: hand every lease back (the node is leaving); replied to with <see cref="LeasesReleased"/>.</summary>
public sealed record ReleaseLeases;

public sealed record LeasesReleased(int Count);

/// <summary>
/// Runs this node's share of the cluster's work. Every <c>lease-renew-interval</c> it renews the leases it holds —
/// stopping the work of any lease it lost, or could not renew in time, before another node may take it — then takes
/// free, expired or (one at a time) stolen leases up to its fair share, and runs the unit's actor for each (what the
/// units are is its <see cref="ILeasedWork"/>'s: Scan segments and stream shards, or a MongoDB source's <c>_id</c>
/// ranges), fenced by the lease: every write the unit makes goes through its <see cref="LeaseFence"/>. A lease is handed
/// back only after the fence was revoked and the unit's writes in flight have ended.
/// </summary>
public sealed class LeaseWorker : ReceiveActor, IWithTimers
{
    private readonly ILeasedWork _work;
    private readonly ClusterContext _cluster;
    private readonly Action _synced;
    private readonly Dictionary<string, HeldLease> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private bool _leaving;
    private bool _reportedSynced;

    public LeaseWorker(ILeasedWork work, ClusterContext cluster, Action synced)
    {
        _work = work;
        _cluster = cluster;
        _synced = synced;
        Log = ActorLog.For(work.Loggers, Context);

        ReceiveAsync<Tick>(_ => TickAsync());
        ReceiveAsync<SegmentCopied>(_ => FinishAsync(Sender));
        ReceiveAsync<ShardClosed>(_ => FinishAsync(Sender));
        ReceiveAsync<StreamGapDetected>(gap => ReportGapAsync(gap, Sender));
        Receive<SegmentPageWritten>(_ => { });
        Receive<ShardPrepared>(_ => { });
        ReceiveAsync<Terminated>(terminated => FinishAsync(terminated.ActorRef));
        ReceiveAsync<ReleaseLeases>(_ => ReleaseAllAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    public static Props Props(ReplicationServices services, ClusterContext cluster, Action synced) =>
        Props(new TableLeasedWork(services), cluster, synced);

    public static Props Props(ILeasedWork work, ClusterContext cluster, Action synced) =>
        Akka.Actor.Props.Create(() => new LeaseWorker(work, cluster, synced));

    private TimeSpan LeaseDuration => _cluster.Settings.LeaseDuration;
    private TimeSpan RenewInterval => _cluster.Settings.LeaseRenewInterval;
    private CancellationToken Stopping => _stopping.Token;

    // A restarted unit waits out its own back-off (RestartBackoff.Workers) before it begins again.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        // A refused checkpoint write, or a write the fence stopped, means the lease changed hands (or may have):
        // this node must not touch the unit again.
        if (Caused<CheckpointConflictException>(cause) || Caused<LeaseLostException>(cause)) return Directive.Stop;
        if (WorkerSupervision.IsTableGone(cause)) return Directive.Stop;
        return Directive.Restart;
    });

    protected override void PreStart()
    {
        Self.Tell(new Tick());
        Timers.StartPeriodicTimer("tick", new Tick(), RenewInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task TickAsync()
    {
        await RenewAsync();
        if (_leaving || _work.IsDraining) return;
        try
        {
            await AcquireAsync();
            if (!_reportedSynced)
            {
                _reportedSynced = true;
                _synced();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not look for work in the checkpoint database: {Error}", _cluster.NodeId, e.Message);
        }
    }

    private async Task RenewAsync()
    {
        foreach (var held in _held.Values.ToArray())
        {
            if (!held.Fence.IsValid)
            {
                // Paused, or starved, past the fence: another node may own the unit already.
                Log.LogWarning("node {Node}: lease {Lease} was not renewed in time; stopping its work", _cluster.NodeId, held.Key.Id);
                await HandBackAsync(held);
                continue;
            }
            var sentAt = _work.Clock.GetTimestamp();
            try
            {
                if (await _cluster.Leases.RenewAsync(held.Key, held.Fence.Claim, LeaseDuration, Stopping))
                {
                    if (held.Fence.Renewed(sentAt)) continue;
                    Log.LogWarning("node {Node}: lease {Lease} expired before its renewal came back; stopping its work", _cluster.NodeId, held.Key.Id);
                    await HandBackAsync(held);
                    continue;
                }
                Log.LogWarning("node {Node}: lease {Lease} was taken by another node; stopping its work", _cluster.NodeId, held.Key.Id);
                await DropAsync(held);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Another node may take the lease once it expires: stop while it is certainly still ours.
                if (held.Fence.Remaining > RenewInterval) continue;
                Log.LogWarning("node {Node}: could not renew lease {Lease} in time ({Error}); stopping its work before it expires", _cluster.NodeId, held.Key.Id, e.Message);
                await DropAsync(held);
            }
        }
    }

    private async Task AcquireAsync()
    {
        var units = await _work.ListAsync(_cluster.Leases, Stopping);
        foreach (var claim in LeaseBalancer.Plan(_cluster.NodeId, units, _cluster.LiveNodes()))
        {
            if (_held.ContainsKey(claim.Unit.Key.Id)) continue;
            var sentAt = _work.Clock.GetTimestamp();
            var claimed = await _cluster.Leases.TryAcquireAsync(claim.Unit, _cluster.NodeId, LeaseDuration, claim.Steal, Stopping);
            if (claimed is null) continue;
            if (claim.Steal) Log.LogInformation("node {Node}: took lease {Lease} from {Owner} to even out the work", _cluster.NodeId, claim.Unit.Key.Id, claim.Unit.Lease.Owner);
            await StartAsync(claim.Unit.Key, new LeaseFence(claimed, LeaseDuration, sentAt, _work.Clock));
        }
    }

    private async Task StartAsync(LeaseKey key, LeaseFence fence)
    {
        var start = await _work.StartAsync(key, fence, Self, Stopping);
        if (start is null)
        {
            fence.Dispose();
            await _cluster.Leases.ReleaseAsync(key, fence.Claim, Stopping);
            return;
        }
        var name = Uri.EscapeDataString($"{key.Kind.ToString().ToLowerInvariant()}-{key.Table}-{Unit(key)}-{fence.Claim.Counter}");
        var actor = Context.ActorOf(start.Props, name);
        Context.Watch(actor);
        _held[key.Id] = new HeldLease(key, fence, actor, start.Generation);
        Log.LogInformation("node {Node}: took lease {Lease} (counter {Counter})", _cluster.NodeId, key.Id, fence.Claim.Counter);
    }

    /// <summary>The unit finished (or its actor stopped): hand the lease back so the cluster's count stays true.</summary>
    private async Task FinishAsync(IActorRef? actor)
    {
        var held = _held.Values.FirstOrDefault(h => h.Actor.Equals(actor));
        if (held is null) return;
        await HandBackAsync(held);
    }

    /// <summary>The table's owner (on the coordinator's node) decides what a gap means; the shard stops here.</summary>
    private async Task ReportGapAsync(StreamGapDetected gap, IActorRef? actor)
    {
        var held = _held.Values.FirstOrDefault(h => h.Actor.Equals(actor));
        if (held is null) return;
        try
        {
            await _work.ReportGapAsync(held.Key, held.Generation, gap, held.Fence, Stopping);
        }
        catch (LeaseLostException e)
        {
            Log.LogWarning("node {Node}: the gap in {Lease} was not reported ({Error}); the shard's next owner finds it again", _cluster.NodeId, held.Key.Id, e.Message);
        }
        await FinishAsync(actor);
    }

    private async Task ReleaseAllAsync()
    {
        var requester = Sender;
        _leaving = true;
        var released = 0;
        foreach (var held in _held.Values.ToArray())
        {
            if (await HandBackAsync(held)) released++;
        }
        requester?.Tell(new LeasesReleased(released));
    }

    /// <summary>Stops the unit, waits for its writes in flight to end, then hands its lease back; true when it was still this node's.</summary>
    private async Task<bool> HandBackAsync(HeldLease held)
    {
        await DropAsync(held);
        try
        {
            return await _cluster.Leases.ReleaseAsync(held.Key, held.Fence.Claim, Stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not hand back lease {Lease} ({Error}); it expires on its own", _cluster.NodeId, held.Key.Id, e.Message);
            return false;
        }
    }

    /// <summary>Stops the unit's actor and revokes its fence: no write of it starts any more, and the ones in flight have ended when this returns.</summary>
    private async Task DropAsync(HeldLease held)
    {
        _held.Remove(held.Key.Id);
        Context.Unwatch(held.Actor);
        Context.Stop(held.Actor);
        await held.Fence.RevokeAsync();
        held.Fence.Dispose();
    }

    private static string Unit(LeaseKey key) => key switch
    {
        SegmentLeaseKey s => s.Segment.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ShardLeaseKey s => s.ShardId,
        MongoRangeLeaseKey r => r.RangeId,
        _ => "",
    };

    private static bool Caused<T>(Exception? e) where T : Exception => e is not null && (e is T || Caused<T>(e.InnerException));

    private sealed class HeldLease(LeaseKey key, LeaseFence fence, IActorRef actor, int generation)
    {
        public LeaseKey Key => key;
        public LeaseFence Fence => fence;
        public IActorRef Actor => actor;
        public int Generation => generation;
    }

    private sealed record Tick;
}
