using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Replication.ShardActors.Cluster;

/// <summary>
/// Lists the leasable units every <c>lease-renew-interval</c>, on every node, whether or not it hosts any of them. The
/// listing is what marks a lease expired (<see cref="Replication.Cluster.LeaseTable"/> judges expiry by having watched a
/// lease unrenewed for its whole duration on this node's clock), so a node that takes a crashed node's units over — its
/// sharded entities start only after the crashed member was removed — has been watching those leases all along and
/// need not start waiting from zero.
/// </summary>
public sealed class UnitObserver : ReceiveActor, IWithTimers
{
    private readonly WorkUnitNode _node;
    private readonly Action _synced;
    private readonly CancellationTokenSource _stopping = new();
    private bool _reportedSynced;

    public UnitObserver(WorkUnitNode node, Action synced)
    {
        _node = node;
        _synced = synced;
        Log = ActorLog.For(node.Work.Loggers, Context);
        ReceiveAsync<List>(_ => ListAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    public static Props Props(WorkUnitNode node, Action synced) => Akka.Actor.Props.Create(() => new UnitObserver(node, synced));

    protected override void PreStart()
    {
        Self.Tell(new List());
        Timers.StartPeriodicTimer("list", new List(), _node.Cluster.Settings.LeaseRenewInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task ListAsync()
    {
        var startedAt = _node.Work.Clock.GetTimestamp();
        try
        {
            var units = await _node.Work.ListAsync(_node.Cluster.Leases, _stopping.Token);
            var listing = new UnitListing(startedAt, units.ToDictionary(u => u.Key.Id, StringComparer.Ordinal));
            _node.Listings.Publish(listing);
            Context.System.EventStream.Publish(listing);
            if (_reportedSynced) return;
            _reportedSynced = true;
            _synced();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("node {Node}: could not list the work units in the checkpoint database: {Error}", _node.Cluster.NodeId, e.Message);
        }
    }

    private sealed record List;
}
