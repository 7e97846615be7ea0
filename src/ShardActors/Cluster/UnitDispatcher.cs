using Akka.Actor;
using Akka.Cluster;

namespace Replication.ShardActors.Cluster;

/// <summary>
/// Runs beside the coordinator singleton and starts the work units from the checkpoints: after every listing of its node's
/// <see cref="UnitObserver"/> it sends each listed unit a <see cref="StartUnit"/> through the shard region, so Cluster
/// Sharding creates the unit's entity on the node it allocates the unit's shard to (a running entity ignores the repeat).
/// Repeating it for every unit, also for those held, is what restarts the entities of a shard sharding moved or of a
/// removed member without remember-entities, whose state the checkpoints already are.
/// </summary>
public sealed class UnitDispatcher : ReceiveActor
{
    private readonly UnitListings _listings;
    private readonly IActorRef _region;

    public UnitDispatcher(UnitListings listings, IActorRef region)
    {
        _listings = listings;
        _region = region;
        Receive<UnitListing>(Dispatch);
        // A removed member's shards are free to be allocated again now: restart their entities without waiting for the next listing.
        Receive<ClusterEvent.MemberRemoved>(_ =>
        {
            if (_listings.Latest is { } latest) Dispatch(latest);
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(UnitListings listings, IActorRef region) => Akka.Actor.Props.Create(() => new UnitDispatcher(listings, region));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(UnitListing));
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
        // A singleton that just moved here starts at once from this node's last listing, not a renew-interval later.
        if (_listings.Latest is { } latest) Dispatch(latest);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void Dispatch(UnitListing listing)
    {
        foreach (var id in listing.Units.Keys) _region.Tell(new StartUnit(id));
    }
}
