using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;
using Replication.ShardActors.Tables;

namespace Replication.ShardActors.Cluster;

/// <summary>Node → lease worker: hand every lease back (the node is leaving); replied to with <see cref="LeasesReleased"/>.</summary>
public sealed record ReleaseLeases;

public sealed record LeasesReleased(int Count);

/// <summary>
/// Runs this node's share of the cluster's work. Every <c>lease-renew-interval</c> it renews the leases it holds —
/// stopping the work of any lease it lost, or could not renew in time, before another node may take it — then takes
/// free, expired or (one at a time) stolen leases up to its fair share, and runs a SegmentActor or ShardActor for each,
/// fenced by the lease. Finished units hand their lease back at once.
/// </summary>
public sealed class LeaseWorker : ReceiveActor, IWithTimers
{
    private readonly ReplicationServices _services;
    private readonly ClusterContext _cluster;
    private readonly Action _synced;
    private readonly Dictionary<string, HeldLease> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private bool _leaving;
    private bool _reportedSynced;

    public LeaseWorker(ReplicationServices services, ClusterContext cluster, Action synced)
    {
        _services = services;
        _cluster = cluster;
        _synced = synced;
        Log = ActorLog.For(services.Loggers, Context);

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
        Akka.Actor.Props.Create(() => new LeaseWorker(services, cluster, synced));

    private TimeSpan LeaseDuration => _cluster.Settings.LeaseDuration;
    private TimeSpan RenewInterval => _cluster.Settings.LeaseRenewInterval;
    private CancellationToken Stopping => _stopping.Token;

    // A restarted unit waits out its own back-off (RestartBackoff.Workers) before it begins again.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        // A refused checkpoint write means the lease changed hands: this node must not touch the unit again.
        if (Caused<CheckpointConflictException>(cause)) return Directive.Stop;
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
        if (_leaving || _services.Drain.IsDraining) return;
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
            var started = _services.Clock.GetUtcNow();
            try
            {
                if (await _cluster.Leases.RenewAsync(held.Key, held.Fence, LeaseDuration, Stopping))
                {
                    held.ValidUntil = started + LeaseDuration;
                    continue;
                }
                Log.LogWarning("node {Node}: lease {Lease} was taken by another node; stopping its work", _cluster.NodeId, held.Key.Id);
                Drop(held);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Another node may take the lease once it expires: stop while it is certainly still ours.
                if (_services.Clock.GetUtcNow() + RenewInterval < held.ValidUntil) continue;
                Log.LogWarning("node {Node}: could not renew lease {Lease} in time ({Error}); stopping its work before it expires", _cluster.NodeId, held.Key.Id, e.Message);
                Drop(held);
            }
        }
    }

    private async Task AcquireAsync()
    {
        var now = _services.Clock.GetUtcNow();
        var units = await _cluster.Leases.ListAsync(Stopping);
        foreach (var claim in LeaseBalancer.Plan(_cluster.NodeId, units, _cluster.LiveNodes(), now))
        {
            if (_held.ContainsKey(claim.Unit.Key.Id)) continue;
            var fence = await _cluster.Leases.TryAcquireAsync(claim.Unit, _cluster.NodeId, LeaseDuration, claim.Steal, Stopping);
            if (fence is null) continue;
            if (claim.Steal) Log.LogInformation("node {Node}: took lease {Lease} from {Owner} to even out the work", _cluster.NodeId, claim.Unit.Key.Id, claim.Unit.Lease.Owner);
            await StartAsync(claim.Unit.Key, fence, validUntil: now + LeaseDuration);
        }
    }

    private async Task StartAsync(LeaseKey key, CheckpointFence fence, DateTimeOffset validUntil)
    {
        var table = await _services.Checkpoints.GetTableAsync(key.Table, Stopping);
        if (table is null || key is SegmentLeaseKey s && s.Generation != table.Generation)
        {
            await _cluster.Leases.ReleaseAsync(key, fence, Stopping);
            return;
        }
        var context = TableContext.From(table, _services.Settings.Convert);
        var name = $"{key.Kind.ToString().ToLowerInvariant()}-{key.Table}-{Unit(key)}-{fence.Counter}";
        var actor = key switch
        {
            SegmentLeaseKey segment => Context.ActorOf(SegmentActor.Props(_services, context, segment.Generation, segment.Segment, segment.TotalSegments, fence), name),
            ShardLeaseKey shard => Context.ActorOf(ShardActor.Props(_services, context, Self,
                new ShardDescription(shard.ShardId, shard.ParentShardId, SequenceNumber.Parse("0"), null), ShardStartMode.Process, fence: fence), name),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "unknown kind of lease"),
        };
        Context.Watch(actor);
        _held[key.Id] = new HeldLease(key, fence, actor, table.Generation) { ValidUntil = validUntil };
        Log.LogInformation("node {Node}: took lease {Lease} (counter {Counter})", _cluster.NodeId, key.Id, fence.Counter);
    }

    /// <summary>The unit finished (or its actor stopped): hand the lease back so the cluster's count stays true.</summary>
    private async Task FinishAsync(IActorRef? actor)
    {
        var held = _held.Values.FirstOrDefault(h => h.Actor.Equals(actor));
        if (held is null) return;
        Drop(held);
        try { await _cluster.Leases.ReleaseAsync(held.Key, held.Fence, Stopping); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not hand back lease {Lease} ({Error}); it expires on its own", _cluster.NodeId, held.Key.Id, e.Message);
        }
    }

    /// <summary>The table's owner (on the coordinator's node) decides what a gap means; the shard stops here.</summary>
    private async Task ReportGapAsync(StreamGapDetected gap, IActorRef? actor)
    {
        var held = _held.Values.FirstOrDefault(h => h.Actor.Equals(actor));
        if (held is null) return;
        await _services.Checkpoints.ReportGapAsync(held.Key.Table, held.Generation, new StreamGap(gap.ShardId, gap.Reason), Stopping);
        await FinishAsync(actor);
    }

    private async Task ReleaseAllAsync()
    {
        var requester = Sender;
        _leaving = true;
        var released = 0;
        foreach (var held in _held.Values.ToArray())
        {
            Drop(held);
            try
            {
                if (await _cluster.Leases.ReleaseAsync(held.Key, held.Fence, Stopping)) released++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.LogWarning("node {Node}: could not hand back lease {Lease} ({Error}); it expires on its own", _cluster.NodeId, held.Key.Id, e.Message);
            }
        }
        requester?.Tell(new LeasesReleased(released));
    }

    private void Drop(HeldLease held)
    {
        _held.Remove(held.Key.Id);
        Context.Unwatch(held.Actor);
        Context.Stop(held.Actor);
    }

    private static string Unit(LeaseKey key) => key switch
    {
        SegmentLeaseKey s => s.Segment.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ShardLeaseKey s => s.ShardId,
        _ => "",
    };

    private static bool Caused<T>(Exception? e) where T : Exception => e is not null && (e is T || Caused<T>(e.InnerException));

    private sealed class HeldLease(LeaseKey key, CheckpointFence fence, IActorRef actor, int generation)
    {
        public LeaseKey Key => key;
        public CheckpointFence Fence => fence;
        public IActorRef Actor => actor;
        public int Generation => generation;
        public DateTimeOffset ValidUntil { get; set; }
    }

    private sealed record Tick;
}
