namespace Replication.Tests.Cluster;

/// <summary>
/// Settings for a test node of a localhost cluster that notices a lost member, downs it and moves its work within
/// seconds: fast gossip and failure detection, a 2 s Split Brain Resolver and short leases. Production keeps Akka's
/// failure detector defaults and stable-after = 7s (see README).
/// </summary>
public static class FastClusterOverrides
{
    /// <summary>The node on <paramref name="port"/> joining through <paramref name="seedPorts"/> (the first one forms the cluster).</summary>
    public static string[] For(int port, IEnumerable<int> seedPorts, TimeSpan leaseDuration) =>
    [
        "replication.cluster.enabled=on",
        "replication.cluster.hostname=\"127.0.0.1\"",
        $"replication.cluster.port={port}",
        $"replication.cluster.seed-nodes=[{string.Join(", ", seedPorts.Select(p => $"\"127.0.0.1:{p}\""))}]",
        "replication.cluster.split-brain-resolver.stable-after=2s",
        "akka.cluster.seed-node-timeout=1s",
        "akka.cluster.retry-unsuccessful-join-after=1s",
        "akka.cluster.gossip-interval=300ms",
        "akka.cluster.leader-actions-interval=300ms",
        "akka.cluster.unreachable-nodes-reaper-interval=300ms",
        "akka.cluster.failure-detector.heartbeat-interval=300ms",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause=2s",
        "akka.cluster.singleton.hand-over-retry-interval=300ms",
        "akka.cluster.singleton.lease-retry-interval=500ms",
        $"replication.cluster.lease-duration={leaseDuration.TotalSeconds}s",
        "replication.cluster.lease-renew-interval=1s",
    ];
}
