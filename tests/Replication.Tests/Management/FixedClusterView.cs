using Replication.Cluster;

namespace Replication.Tests.Management;

/// <summary>A cluster that says what the test tells it to (the real view reads Akka's Cluster.State and the leases in the checkpoint database).</summary>
internal sealed class FixedClusterView(ClusterSnapshot members, IReadOnlyList<LeaseView> leases, IReadOnlyList<ShardRegionView> regions) : IClusterView
{
    /// <summary>When set, every read fails with it, as a view whose database is down would.</summary>
    public Exception? Failure { get; set; }

    public string SelfNodeId => members.SelfNode;

    public Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<ClusterSnapshot>(failure) : Task.FromResult(members);

    public Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<IReadOnlyList<LeaseView>>(failure) : Task.FromResult(leases);

    public Task<IReadOnlyList<ShardRegionView>> ShardRegionsAsync(CancellationToken cancellationToken) => Task.FromResult(regions);

    /// <summary>
    /// Four nodes seen from node-a, Akka's leader and the coordinator lease holder: node-d is still Joining, node-b has
    /// been Up the longest (the oldest); node-c is unreachable from node-a and its shard lease has expired. Sharding: node-a
    /// hosts segment 0 (shard 7), node-b segment 1 and shard-1 (shards 2 and 7), node-c did not answer, and node-d hosts
    /// an entity whose unit is no longer listed.
    /// </summary>
    public static FixedClusterView FourNodes(DateTimeOffset now)
    {
        ClusterMember Member(string id, long uid, string status, bool reachable, params string[] roles) =>
            new(id, uid, status, roles, reachable ? [] : ["node-a"]);
        var snapshot = new ClusterSnapshot("node-a",
        [
            Member("node-a", 1001, "Up", true, "replication", "dynamodb"),
            Member("node-b", 1002, "Up", true, "replication"),
            Member("node-c", 1003, "Up", false, "replication"),
            Member("node-d", 1004, "Joining", true, "replication"),
        ], Leader: "node-a", Oldest: "node-b", OldestPerRole: new Dictionary<string, string> { ["dynamodb"] = "node-a", ["replication"] = "node-b" });
        LeaseView[] leases =
        [
            new("shard:Orders|shard-3", LeaseKind.Shard, "Orders", "shard-3", null, 0, null, "NotStarted", null, null),
            new("shard:Orders|shard-2", LeaseKind.Shard, "Orders", "shard-2", "node-c", 7, now - TimeSpan.FromSeconds(20), "Processing", "4900", TimeSpan.FromSeconds(12)),
            new("shard:Orders|shard-1", LeaseKind.Shard, "Orders", "shard-1", "node-b", 3, now + TimeSpan.FromSeconds(8), "Processing", "4711", TimeSpan.FromSeconds(2.5)),
            new("segment:Orders|1", LeaseKind.Segment, "Orders", "1", "node-b", 1, now + TimeSpan.FromSeconds(9), "Running", """{"id":{"S":"k42"}}""", null),
            new("segment:Orders|0", LeaseKind.Segment, "Orders", "0", "node-a", 2, now + TimeSpan.FromSeconds(9), "Done", null, null),
            new("coordinator", LeaseKind.Coordinator, "", "coordinator", "node-a", 11, now + TimeSpan.FromSeconds(7), "Held", null, null),
        ];
        ShardRegionView[] regions =
        [
            new("node-a", [new HostedShard("7", ["segment:Orders|0"])], null),
            new("node-b", [new HostedShard("2", ["shard:Orders|shard-1"]), new HostedShard("7", ["segment:Orders|1"])], null),
            new("node-c", [], "unreachable"),
            new("node-d", [new HostedShard("4", ["range/gone"])], null),
        ];
        return new FixedClusterView(snapshot, leases, regions);
    }
}
