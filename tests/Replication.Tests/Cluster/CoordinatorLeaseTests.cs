using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Tests.Mongo;

namespace Replication.Tests.Cluster;

public class CoordinatorLeaseTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private CoordinatorLease Lease => new(Client.GetDatabase("repl_checkpoint"), _clock);

    [Fact]
    public async Task The_first_node_takes_the_lease_and_the_others_wait_until_it_expires()
    {
        var a = await Lease.TryAcquireAsync("a", Duration);
        Assert.Equal(new CheckpointFence("a", 1), a);
        Assert.Null(await Lease.TryAcquireAsync("b", Duration));

        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(await Lease.RenewAsync(a!, Duration));
        _clock.Now += TimeSpan.FromSeconds(9);
        Assert.Null(await Lease.TryAcquireAsync("b", Duration));

        _clock.Now += TimeSpan.FromSeconds(2);
        var b = await Lease.TryAcquireAsync("b", Duration);
        Assert.Equal(new CheckpointFence("b", 2), b);
        Assert.False(await Lease.RenewAsync(a!, Duration));
        Assert.Equal("b", (await Lease.ReadAsync()).Owner);
    }

    [Fact]
    public async Task Nodes_racing_for_a_new_lease_elect_exactly_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Lease.TryAcquireAsync("n" + i, Duration)));
        Assert.Single(results, r => r is not null);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once()
    {
        var a = (await Lease.TryAcquireAsync("a", Duration))!;
        Assert.True(await Lease.ReleaseAsync(a));
        Assert.Equal(new CheckpointFence("b", 2), await Lease.TryAcquireAsync("b", Duration));
    }
}
