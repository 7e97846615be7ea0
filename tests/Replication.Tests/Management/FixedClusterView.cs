using Replication.Cluster;

namespace Replication.Tests.Management;

/// <summary>A cluster that says what the test tells it to (the real view reads heartbeats and leases from the checkpoint database).</summary>
internal sealed class FixedClusterView(ClusterSnapshot members, IReadOnlyList<LeaseView> leases) : IClusterView
{
    /// <summary>When set, every read fails with it, as a view whose database is down would.</summary>
    public Exception? Failure { get; set; }

    public string SelfNodeId => members.SelfNodeId;

    public Task<ClusterSnapshot> MembersAsync(CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<ClusterSnapshot>(failure) : Task.FromResult(members);

    public Task<IReadOnlyList<LeaseView>> LeasesAsync(CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<IReadOnlyList<LeaseView>>(failure) : Task.FromResult(leases);

    /// <summary>
    /// Four nodes seen from node-a, which holds the coordinator lease: node-d joined first but is still Joining, so the
    /// oldest Up member is node-b; node-c stopped heartbeating and is unreachable; its shard lease has expired.
    /// </summary>
    public static FixedClusterView FourNodes(DateTimeOffset now)
    {
        ClusterMember Member(string id, MemberStatus status, bool reachable, TimeSpan joinedAgo, params string[] roles) =>
            new(id, $"http://{id}:8558", status, reachable, now - joinedAgo, now - TimeSpan.FromSeconds(1), roles);
        var snapshot = new ClusterSnapshot("node-a",
        [
            Member("node-a", MemberStatus.Up, true, TimeSpan.FromHours(2), "replication", "dynamodb"),
            Member("node-b", MemberStatus.Up, true, TimeSpan.FromHours(3), "replication"),
            Member("node-c", MemberStatus.Up, false, TimeSpan.FromHours(1), "replication"),
            Member("node-d", MemberStatus.Joining, true, TimeSpan.FromHours(4), "replication"),
        ], CoordinatorNodeId: "node-a");
        LeaseView[] leases =
        [
            new("shard:Orders|shard-3", LeaseKind.Shard, "Orders", "shard-3", null, 0, null, "NotStarted", null, null),
            new("shard:Orders|shard-2", LeaseKind.Shard, "Orders", "shard-2", "node-c", 7, now - TimeSpan.FromSeconds(20), "Processing", "4900", TimeSpan.FromSeconds(12)),
            new("shard:Orders|shard-1", LeaseKind.Shard, "Orders", "shard-1", "node-b", 3, now + TimeSpan.FromSeconds(8), "Processing", "4711", TimeSpan.FromSeconds(2.5)),
            new("segment:Orders|1", LeaseKind.Segment, "Orders", "1", "node-b", 1, now + TimeSpan.FromSeconds(9), "Running", """{"id":{"S":"k42"}}""", null),
            new("segment:Orders|0", LeaseKind.Segment, "Orders", "0", "node-a", 2, now + TimeSpan.FromSeconds(9), "Done", null, null),
            new("coordinator", LeaseKind.Coordinator, "", "coordinator", "node-a", 11, now + TimeSpan.FromSeconds(7), "Held", null, null),
        ];
        return new FixedClusterView(snapshot, leases);
    }
}
