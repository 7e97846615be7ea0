using Replication.Configuration;

namespace Replication.Cluster;

/// <summary>
/// This node's place in the cluster: its id (its Akka address, the owner name on its leases), the segment, shard and range
/// leases in the checkpoint database (watched by this node), and whether this node holds the coordinator singleton's
/// lease right now (checked before the coordinator's own writes).
/// </summary>
public sealed record ClusterContext(string NodeId, ClusterSettings Settings, LeaseTable Leases, Func<bool> HoldsCoordinatorLease);
