using System.Net;
using Replication.Coordinator.Management.Cluster;

namespace Replication.Tests.Management;

public sealed class ClusterEndpointTests : ManagementServerTest
{
    [Fact]
    public async Task Members_use_akka_managements_field_names_and_shape()
    {
        var (response, body) = await GetJsonAsync("/cluster/members");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["selfNode", "members", "unreachable", "leader", "oldest", "oldestPerRole"], PropertyNames(body));
        var member = body.GetProperty("members")[0];
        Assert.Equal(["node", "nodeUid", "status", "roles"], PropertyNames(member));
        Assert.Equal(["node", "observedBy"], PropertyNames(body.GetProperty("unreachable")[0]));
    }

    [Fact]
    public async Task Members_pass_on_akkas_leader_oldest_uids_and_unreachable_members_with_their_observers()
    {
        var members = await GetAsync<ClusterMembersResponse>("/cluster/members/");

        Assert.Equal("node-a", members.SelfNode);
        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], members.Members.Select(m => m.Node));
        Assert.Equal(["Up", "Up", "Up", "Joining"], members.Members.Select(m => m.Status));
        Assert.Equal(["replication", "dynamodb"], members.Members[0].Roles);
        Assert.Equal("node-a", members.Leader);
        Assert.Equal("node-b", members.Oldest);
        Assert.Equal(new Dictionary<string, string> { ["dynamodb"] = "node-a", ["replication"] = "node-b" }, members.OldestPerRole);
        var unreachable = Assert.Single(members.Unreachable);
        Assert.Equal("node-c", unreachable.Node);
        Assert.Equal(["node-a"], unreachable.ObservedBy);

        Assert.Equal(["1001", "1002", "1003", "1004"], members.Members.Select(m => m.NodeUid));
    }

    [Fact]
    public async Task Shards_list_every_lease_and_count_the_live_ones_per_node()
    {
        var (_, body) = await GetJsonAsync("/cluster/shards");
        Assert.Equal(["leases", "owners", "free", "sharding"], PropertyNames(body));
        Assert.Equal(["leaseId", "kind", "table", "unit", "owner", "counter", "expiresAt", "expired", "status", "position", "lagSeconds"],
            PropertyNames(body.GetProperty("leases")[0]));

        var shards = await GetAsync<ClusterShardsResponse>("/cluster/shards");

        Assert.Equal(["coordinator", "segment", "segment", "shard", "shard", "shard"], shards.Leases.Select(l => l.Kind));
        Assert.Equal(["coordinator", "0", "1", "shard-1", "shard-2", "shard-3"], shards.Leases.Select(l => l.Unit));
        var shard1 = shards.Leases.Single(l => l.Unit == "shard-1");
        Assert.Equal(("node-b", 3L, "Processing", "4711", 2.5, false), (shard1.Owner, shard1.Counter, shard1.Status, shard1.Position, shard1.LagSeconds, shard1.Expired));
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromSeconds(8), shard1.ExpiresAt);
        Assert.True(shards.Leases.Single(l => l.Unit == "shard-2").Expired);

        Assert.Equal(
            [new OwnerLeaseCount("node-a", 2, 1, 1, 0), new OwnerLeaseCount("node-b", 2, 0, 1, 1)],
            shards.Owners);
        Assert.Equal(2, shards.Free);
    }

    [Fact]
    public async Task Shards_show_each_nodes_sharded_entities_with_their_units_leases()
    {
        var (_, body) = await GetJsonAsync("/cluster/shards");
        var node = body.GetProperty("sharding")[0];
        Assert.Equal(["node", "entities", "shards", "error"], PropertyNames(node));
        Assert.Equal(["shardId", "entities"], PropertyNames(node.GetProperty("shards")[0]));
        Assert.Equal(["entityId", "kind", "table", "unit", "leaseOwner", "leaseCounter", "leaseExpired", "status"],
            PropertyNames(node.GetProperty("shards")[0].GetProperty("entities")[0]));

        var sharding = (await GetAsync<ClusterShardsResponse>("/cluster/shards")).Sharding;

        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], sharding.Select(n => n.Node));
        Assert.Equal([1, 2, 0, 1], sharding.Select(n => n.Entities));
        var onB = sharding[1].Shards.SelectMany(s => s.Entities.Select(e => (s.ShardId, e.EntityId, e.Kind, e.LeaseOwner, e.LeaseCounter, e.Status))).ToArray();
        Assert.Equal([("2", "shard:Orders|shard-1", "shard", "node-b", 3L, "Processing"), ("7", "segment:Orders|1", "segment", "node-b", 1L, "Running")], onB);
        Assert.Equal("unreachable", sharding[2].Error);
        Assert.Null(sharding[0].Error);
        var gone = Assert.Single(Assert.Single(sharding[3].Shards).Entities);
        Assert.Equal(("range/gone", null, null), (gone.EntityId, gone.LeaseOwner, gone.LeaseCounter));
    }

    [Fact]
    public async Task A_failing_cluster_view_is_a_503_naming_it_without_a_stack_trace()
    {
        Cluster.Failure = new InvalidOperationException("nodes collection unreadable (test)");

        foreach (var path in new[] { "/cluster/members", "/cluster/shards" })
        {
            var response = await Http.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("cluster view unavailable: nodes collection unreadable (test)", text);
            Assert.DoesNotContain(" at ", text);
        }
    }
}
