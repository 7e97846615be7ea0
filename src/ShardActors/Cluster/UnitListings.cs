using Replication.Cluster;

namespace Replication.ShardActors.Cluster;

/// <summary>
/// One listing of the leasable units by this node's <see cref="UnitObserver"/>: every unit with its lease as read, marked
/// expired by this node's <see cref="LeaseTable"/> (which has watched the leases since the node started).
/// </summary>
/// <param name="StartedAt">This node's monotonic timestamp taken just before the listing was read.</param>
public sealed record UnitListing(long StartedAt, IReadOnlyDictionary<string, LeasedUnit> Units);

/// <summary>
/// The node's latest <see cref="UnitListing"/>, shared by the unit entities hosted here and — on the singleton's node — the
/// <see cref="UnitDispatcher"/>. Each new listing is also published on the actor system's event stream.
/// </summary>
public sealed class UnitListings
{
    private volatile UnitListing? _latest;

    public UnitListing? Latest => _latest;

    public void Publish(UnitListing listing) => _latest = listing;
}

/// <summary>What the unit entities, the observer and the dispatcher of one node share.</summary>
public sealed record WorkUnitNode(ILeasedWork Work, ClusterContext Cluster, UnitListings Listings);
