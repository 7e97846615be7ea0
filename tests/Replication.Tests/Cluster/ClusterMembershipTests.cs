using Replication.Cluster;
using Replication.Configuration;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

public class ClusterMembershipTests : MongoServerTest
{
    private static readonly ClusterSettings Settings = new(true, "", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3));
    private readonly ManualClock _clock = new();

    private ClusterMembership Membership => new(Client.GetDatabase("repl_checkpoint"), Settings, _clock);

    [Fact]
    public async Task Members_are_up_while_they_heartbeat_unreachable_when_silent_and_down_after_three_timeouts()
    {
        await Membership.JoinAsync("a", "http://10.0.0.1:8558", ["worker"]);
        _clock.Now += TimeSpan.FromSeconds(1);
        await Membership.JoinAsync("b", "http://10.0.0.2:8558", ["worker"]);

        var members = await Membership.MembersAsync();
        Assert.Equal(["a", "b"], members.Select(m => m.NodeId)); // oldest first
        Assert.All(members, m => Assert.Equal(MemberStatus.Up, m.Status));
        Assert.All(members, m => Assert.True(m.Reachable));
        Assert.Equal("http://10.0.0.2:8558", members[1].ManagementAddress);
        Assert.Equal(["worker"], members[1].Roles);

        _clock.Now += TimeSpan.FromSeconds(10);
        Assert.True(await Membership.HeartbeatAsync("b"));
        members = await Membership.MembersAsync();
        Assert.False(members[0].Reachable);
        Assert.Equal(MemberStatus.Up, members[0].Status);
        Assert.Equal(["b"], ClusterMembership.LiveNodeIds(members));

        _clock.Now += TimeSpan.FromSeconds(25);
        Assert.Equal(MemberStatus.Down, (await Membership.MembersAsync())[0].Status);
    }

    [Fact]
    public async Task A_leaving_node_takes_no_part_in_balancing_and_is_gone_once_removed()
    {
        await Membership.JoinAsync("a", "http://a", []);
        await Membership.JoinAsync("b", "http://b", []);
        Assert.True(await Membership.LeaveAsync("a"));

        var members = await Membership.MembersAsync();
        Assert.Equal(MemberStatus.Leaving, members.Single(m => m.NodeId == "a").Status);
        Assert.Equal(["b"], ClusterMembership.LiveNodeIds(members));

        await Membership.RemoveAsync("a");
        Assert.Equal(["b"], (await Membership.MembersAsync()).Select(m => m.NodeId));
        Assert.False(await Membership.HeartbeatAsync("a")); // a heartbeat after removal says: join again
    }
}
