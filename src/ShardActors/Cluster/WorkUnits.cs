using Akka.Actor;
using Replication.Cluster;

namespace Replication.ShardActors.Cluster;

/// <summary>Starts a cluster node's part of the sharded work units.</summary>
public static class WorkUnits
{
    /// <summary>
    /// Starts this node's <see cref="UnitObserver"/> (it watches the leases from now on) and shard region; returns the
    /// props of the dispatcher, which runs with the coordinator singleton wherever that runs.
    /// </summary>
    /// <param name="synced">Called once the node has listed the units for the first time.</param>
    public static Props Start(ActorSystem system, ILeasedWork work, ClusterContext cluster, Action synced)
    {
        var node = new WorkUnitNode(work, cluster, new UnitListings());
        system.ActorOf(UnitObserver.Props(node, synced), "unit-observer");
        var region = WorkUnitSharding.StartRegion(system, node);
        return UnitDispatcher.Props(node.Listings, region);
    }
}
