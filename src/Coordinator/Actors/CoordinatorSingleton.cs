using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.ShardActors;

namespace Replication.Coordinator.Actors;

/// <summary>Node → singleton: stop coordinating and hand the coordinator lease back; replied to with <see cref="CoordinatorReleased"/>.</summary>
public sealed record ReleaseCoordinator;

public sealed record CoordinatorReleased;

/// <summary>
/// Keeps exactly one coordinator in the cluster: the node holding the coordinator lease runs the CoordinatorActor (and
/// through it the table actors); the others wait and take over when the lease expires. A holder that loses the lease,
/// or cannot renew it in time, stops its coordinator before another node may start one.
/// </summary>
public sealed class CoordinatorSingleton : ReceiveActor, IWithTimers
{
    private readonly ClusterContext _cluster;
    private readonly Props _coordinator;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stopping = new();
    private CheckpointFence? _fence;
    private DateTimeOffset _validUntil;
    private IActorRef? _running;
    private string? _reportedHolder;
    private bool _leaving;

    public CoordinatorSingleton(ClusterContext cluster, Props coordinator, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        _cluster = cluster;
        Log = ActorLog.For(loggers, Context);
        _coordinator = coordinator;
        _clock = clock ?? TimeProvider.System;
        ReceiveAsync<Tick>(_ => TickAsync());
        ReceiveAsync<ReleaseCoordinator>(_ => ReleaseAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    public static Props Props(ClusterContext cluster, Props coordinator, ILoggerFactory loggers) =>
        Akka.Actor.Props.Create(() => new CoordinatorSingleton(cluster, coordinator, loggers, null));

    private TimeSpan LeaseDuration => _cluster.Settings.LeaseDuration;

    protected override void PreStart()
    {
        Self.Tell(new Tick());
        Timers.StartPeriodicTimer("tick", new Tick(), _cluster.Settings.LeaseRenewInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task TickAsync()
    {
        try
        {
            if (_fence is null) await TryTakeOverAsync();
            else await RenewAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: coordinator lease: {Error}", _cluster.NodeId, e.Message);
            if (_fence is not null && _clock.GetUtcNow() + _cluster.Settings.LeaseRenewInterval >= _validUntil) StepDown("it could not be renewed in time");
        }
    }

    private async Task TryTakeOverAsync()
    {
        if (_leaving) return;
        var started = _clock.GetUtcNow();
        var fence = await _cluster.Coordinator.TryAcquireAsync(_cluster.NodeId, LeaseDuration, _stopping.Token);
        if (fence is null)
        {
            var holder = (await _cluster.Coordinator.ReadAsync(_stopping.Token)).Owner;
            if (holder != _reportedHolder)
            {
                _reportedHolder = holder;
                Log.LogInformation("node {Node}: node {Holder} runs the coordinator; this node takes over if it stops", _cluster.NodeId, holder);
            }
            return;
        }
        _fence = fence;
        _validUntil = started + LeaseDuration;
        _reportedHolder = null;
        Log.LogInformation("node {Node}: took the coordinator lease (counter {Counter}); discovering tables", _cluster.NodeId, fence.Counter);
        _running = Context.ActorOf(_coordinator, $"coordinator-{fence.Counter}");
    }

    private async Task RenewAsync()
    {
        var started = _clock.GetUtcNow();
        if (await _cluster.Coordinator.RenewAsync(_fence!, LeaseDuration, _stopping.Token)) _validUntil = started + LeaseDuration;
        else StepDown("another node took the lease");
    }

    private void StepDown(string why)
    {
        Log.LogWarning("node {Node}: no longer the coordinator ({Why}); stopping its table actors", _cluster.NodeId, why);
        if (_running is not null) Context.Stop(_running);
        _running = null;
        _fence = null;
    }

    private async Task ReleaseAsync()
    {
        var requester = Sender;
        _leaving = true;
        if (_running is not null) Context.Stop(_running);
        _running = null;
        if (_fence is { } fence)
        {
            _fence = null;
            try { await _cluster.Coordinator.ReleaseAsync(fence, _stopping.Token); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.LogWarning("node {Node}: could not hand back the coordinator lease ({Error}); it expires on its own", _cluster.NodeId, e.Message);
            }
        }
        requester?.Tell(new CoordinatorReleased());
    }

    private sealed record Tick;
}
