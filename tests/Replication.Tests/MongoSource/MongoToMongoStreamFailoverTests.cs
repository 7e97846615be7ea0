using Replication.Tests.Cluster;
using MongoDB.Driver;
using Replication.ShardActors.MongoSource;
using Replication.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// Three real `replication` processes, members of one Akka cluster, replicate a MongoDB source; the change stream is a
/// leased unit that one of them follows. That one is SIGKILLed, and changes are made while the stream has no live
/// owner: another member takes the stream's lease once it expired and resumes from the checkpointed resume token, so
/// nothing is lost (no re-sync either: the generation stays 1) and the target ends equal to the source. The in-memory
/// servers run in the test process and outlive the kill.
/// </summary>
public sealed class MongoToMongoStreamFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly Dictionary<string, string> Namespaces = new()
    {
        ["shop.orders"] = "shop.orders",
        ["shop.customers"] = "shop.customers",
        ["inventory.items"] = "inventory.items",
    };

    private MongoToMongoHarness _h = null!;
    private ReplicationProcesses _nodes = null!;

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        _nodes = new ReplicationProcesses(output, _h.Id, ports: 3);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task The_node_following_the_change_stream_is_killed_and_another_resumes_it_from_its_checkpoint()
    {
        await MongoToMongoReplicationTests.SeedAsync(_h, orders: 600);
        var settings = _h.Settings(ClusterOverrides(0)[_h.SettingOverrides().Length..]);
        var checkpoints = _h.Checkpoints(settings);
        for (var n = 0; n < 3; n++) _nodes.Start(n, ClusterOverrides(n));

        // 1. The copy is done and one member follows the stream: changes reach the target.
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental, Patience);
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 1);
        await _h.WaitUntilEqualAsync(Namespaces, Patience);
        var before = await WaitForAsync(async () => await checkpoints.FindStreamAsync(ChangeStreams.ClusterUnit, 1, default) is { Lease.Owner: { } owner } s
            && _nodes.Running.Contains(owner) && s.EventsApplied > 0 ? s : null, "no member followed the change stream");
        var holder = before.Lease!.Owner!;
        output.WriteLine($"stream followed by {holder} (counter {before.Lease.Counter}), {before.EventsApplied} events applied");

        // 2. SIGKILL it, and change the source while the stream has no live owner.
        Assert.Equal(128 + 9, await _nodes.LetGo(holder).KillAsync());
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 2);

        // 3. Another member takes the stream over and applies from the checkpoint: the target equals the source again.
        var after = await WaitForAsync(async () => await checkpoints.FindStreamAsync(ChangeStreams.ClusterUnit, 1, default) is { Lease.Owner: { } owner } s
            && _nodes.Running.Contains(owner) && s.EventsApplied > before.EventsApplied ? s : null, $"no member took the stream over from the killed {holder}");
        output.WriteLine($"stream taken over by {after.Lease!.Owner} (counter {after.Lease.Counter})");
        Assert.True(after.Lease.Counter > before.Lease.Counter, "the new owner's lease counter is not above the killed node's");
        await _h.WaitUntilEqualAsync(Namespaces, Patience);
        var state = await checkpoints.LoadStateAsync(default);
        Assert.Equal((1, MongoSyncPhase.Incremental), (state!.Generation, state.Phase)); // resumed, not copied again
        foreach (var node in _nodes.Running) Assert.False(_nodes[node].HasExited, $"{node} exited");
    }

    /// <summary>Node <paramref name="n"/>'s settings: all three are seeds; short leases and fast failure detection keep the failover quick.</summary>
    private string[] ClusterOverrides(int n) => _h.SettingOverrides([
        .. FastClusterOverrides.For(_nodes.Ports[n], _nodes.Ports, TimeSpan.FromSeconds(4)),
        "replication.filter.exclude=[\"other\", \"shop.audit\"]",
        "replication.source.mongodb.range-documents=200"]);

    private Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure) where T : class => _nodes.WaitForAsync(probe, failure, Patience);
}
