using Replication.Configuration;

namespace Replication.Cluster;

/// <summary>
/// This node's place in the cluster: its id (its Akka address, the owner name on its leases), the members the work is
/// balanced over (Up and reachable in Akka's <c>Cluster.State</c>), the segment and shard leases in the checkpoint database,
/// and whether this node holds the coordinator singleton's lease right now (checked before the coordinator's own writes).
/// </summary>
public sealed record ClusterContext(string NodeId, ClusterSettings Settings, Func<IReadOnlyCollection<string>> LiveNodes, LeaseTable Leases,
    Func<bool> HoldsCoordinatorLease);
