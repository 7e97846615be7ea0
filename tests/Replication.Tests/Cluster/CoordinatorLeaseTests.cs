using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

/// <summary>The coordinator lease; each node has its own instance (it remembers what it saw, and since when).</summary>
public class CoordinatorLeaseTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private CoordinatorLease Node(TimeProvider? clock = null) => new(Client.GetDatabase("repl_checkpoint"), clock ?? _clock);

    [Fact]
    public async Task The_first_node_takes_the_lease_and_the_others_wait_until_they_saw_it_unrenewed_for_a_whole_duration()
    {
        var (nodeA, nodeB) = (Node(), Node());
        var a = await nodeA.TryAcquireAsync("a", Duration);
        Assert.Equal(new CheckpointFence("a", 1), a);
        Assert.Null(await nodeB.TryAcquireAsync("b", Duration));

        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(await nodeA.RenewAsync(a!, Duration));
        Assert.Null(await nodeB.TryAcquireAsync("b", Duration)); // b sees the renewal: its wait starts again
        _clock.Now += TimeSpan.FromSeconds(9);
        Assert.Null(await nodeB.TryAcquireAsync("b", Duration));

        _clock.Now += TimeSpan.FromSeconds(1);
        var b = await nodeB.TryAcquireAsync("b", Duration);
        Assert.Equal(new CheckpointFence("b", 2), b);
        Assert.False(await nodeA.RenewAsync(a!, Duration));
        Assert.Equal("b", (await nodeA.ReadAsync()).Owner);
    }

    [Fact]
    public async Task A_holder_whose_clock_is_an_hour_behind_keeps_the_lease_while_it_renews()
    {
        var nodeA = Node(new ManualClock(_clock.Now - TimeSpan.FromHours(1)));
        var nodeB = Node();
        var a = (await nodeA.TryAcquireAsync("a", Duration))!;
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await nodeB.TryAcquireAsync("b", Duration));
            _clock.Now += TimeSpan.FromSeconds(6);
            Assert.True(await nodeA.RenewAsync(a, Duration));
        }
        Assert.Null(await nodeB.TryAcquireAsync("b", Duration));
    }

    [Fact]
    public async Task The_holders_fence_covers_its_writes_until_it_lapses_or_the_lease_is_handed_back()
    {
        var node = Node();
        var a = (await node.TryAcquireAsync("a", Duration))!;
        Assert.Equal(a, node.Fence?.Claim);
        Assert.True(node.Fence!.IsValid);

        _clock.Now += TimeSpan.FromSeconds(8);
        Assert.True(await node.RenewAsync(a, Duration));
        _clock.Now += TimeSpan.FromSeconds(8);
        Assert.True(node.Fence.IsValid); // 8 s after the renewal was sent

        Assert.True(await node.ReleaseAsync(a));
        Assert.False(node.Fence.IsValid);
        await Assert.ThrowsAsync<LeaseLostException>(() => node.Fence.WriteAsync(_ => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task Nodes_racing_for_a_new_lease_elect_exactly_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Node().TryAcquireAsync("n" + i, Duration)));
        Assert.Single(results, r => r is not null);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once()
    {
        var a = (await Node().TryAcquireAsync("a", Duration))!;
        Assert.True(await Node().ReleaseAsync(a));
        Assert.Equal(new CheckpointFence("b", 2), await Node().TryAcquireAsync("b", Duration));
    }
}
