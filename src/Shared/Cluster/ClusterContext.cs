using Replication.Configuration;

namespace Replication.Cluster;

/// <summary>This node's place in the cluster: its id, and the stores of members and leases (all in the checkpoint database).</summary>
public sealed record ClusterContext(string NodeId, ClusterSettings Settings, ClusterMembership Membership, LeaseTable Leases, CoordinatorLease Coordinator);
