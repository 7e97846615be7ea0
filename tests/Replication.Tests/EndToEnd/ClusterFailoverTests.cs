using System.Text.Json;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Coordinator.Hosting;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>The cluster tests get a DynamoDB Local of their own, so they can run beside the other end-to-end tests.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "Replication cluster";
}

/// <summary>
/// Three nodes (three actor systems, each with its own clients) on one DynamoDB Local and one in-memory MongoDB server,
/// with short leases: the work spreads, and moves when nodes stop without warning (no drain, no lease handed back).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    private ReplicationHarness _h = null!;
    private readonly List<ReplicationNode> _nodes = [];

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await _h.DisposeAsync();
    }

    private Replication.Configuration.ReplicationSettings NodeSettings(int n) => _h.Settings(
        "replication.cluster.enabled=on",
        $"replication.cluster.node-id=node-{n}",
        "replication.cluster.heartbeat-interval=500ms",
        "replication.cluster.node-timeout=3s",
        $"replication.cluster.lease-duration={LeaseDuration.TotalSeconds}s",
        "replication.cluster.lease-renew-interval=1s",
        "replication.full-sync.segments=6",
        "replication.full-sync.page-size=10",
        // Per node: slow enough that the full sync is still running when a node is stopped, on any machine.
        "replication.full-sync.items-per-second=15");

    [Fact]
    public async Task Three_nodes_share_the_leases_and_the_work_of_nodes_stopped_without_hand_over_moves_to_the_survivors()
    {
        var tables = new[] { await CreateTableAsync("-a", 500), await CreateTableAsync("-b", 500) };
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        using var monitor = new CheckpointMonitor(store, tables);

        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, 3).Select(n => _h.StartNodeAsync(NodeSettings(n)))));
        var view = new CheckpointClusterView(_nodes[0].Cluster, store);

        // Over real HTTP, from any node: three Up members, in Akka Management's shape; every node ready.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using (var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(_nodes[1].Management.BaseAddress, "cluster/members"))))
        {
            var listed = members.RootElement.GetProperty("members").EnumerateArray().ToArray();
            Assert.Equal(["node-1", "node-2", "node-3"], listed.Select(m => m.GetProperty("node").GetString()).Order());
            Assert.All(listed, m => Assert.Equal("Up", m.GetProperty("status").GetString()));
            Assert.Equal("node-2", members.RootElement.GetProperty("selfNode").GetString());
            Assert.Empty(members.RootElement.GetProperty("unreachable").EnumerateArray());
        }
        foreach (var node in _nodes)
        {
            await WaitForAsync(async () =>
            {
                using var ready = await http.GetAsync(new Uri(node.Management.BaseAddress, "ready"));
                return ready.IsSuccessStatusCode ? (object)true : null;
            }, TimeSpan.FromMinutes(1), $"{node.Cluster.NodeId} did not become ready");
        }

        // The twelve segment leases spread evenly: four per node.
        var spread = await WaitForAsync(async () =>
        {
            var held = HeldSegmentsByOwner(await view.LeasesAsync(CancellationToken.None));
            return held.Count == 3 && held.Values.All(c => c == 4) ? held : null;
        }, TimeSpan.FromMinutes(1), "the segment leases did not spread evenly over the three nodes");
        output.WriteLine($"segment leases per node: {string.Join(", ", spread.Select(s => $"{s.Key}={s.Value}"))}");

        // Stop the coordinator's node without warning (no drain, no lease handed back), mid-full-sync.
        var coordinator = (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId;
        var first = _nodes.Single(n => n.Cluster.NodeId == coordinator);
        var orphaned = (await view.LeasesAsync(CancellationToken.None)).Where(l => l.Kind == LeaseKind.Segment && l.Owner == coordinator && l.Status != "Done")
            .Select(l => l.LeaseId).ToHashSet();
        Assert.NotEmpty(orphaned);
        foreach (var table in tables) Assert.NotEqual(FullSyncStatus.Done, (await store.GetTableAsync(table))!.FullSync.Status);
        var stoppedAt = DateTimeOffset.UtcNow;
        await first.StopWithoutHandOverAsync();
        var survivors = _nodes.Where(n => n != first).ToArray();
        view = new CheckpointClusterView(survivors[0].Cluster, store);

        await WaitForAsync(async () =>
        {
            var leases = await view.LeasesAsync(CancellationToken.None);
            var moved = leases.Where(l => orphaned.Contains(l.LeaseId)).All(l => l.Status == "Done" || l.Owner != coordinator && l.ExpiresAt > DateTimeOffset.UtcNow);
            var newCoordinator = (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId;
            return moved && newCoordinator is not null && newCoordinator != coordinator ? (object)true : null;
        }, TimeSpan.FromMinutes(1), $"the segments of {coordinator} did not move to the survivors");
        // The stopped node no longer heartbeats: after the node timeout it is listed as unreachable, and no longer leads.
        await WaitForAsync(async () =>
        {
            using var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(survivors[0].Management.BaseAddress, "cluster/members")));
            var unreachable = members.RootElement.GetProperty("unreachable").EnumerateArray().Select(u => u.GetProperty("node").GetString()).ToArray();
            return unreachable.SequenceEqual([coordinator]) && members.RootElement.GetProperty("leader").GetString() != coordinator ? (object)true : null;
        }, TimeSpan.FromMinutes(1), $"/cluster/members did not report {coordinator} unreachable");
        output.WriteLine($"{coordinator}'s {orphaned.Count} segments and the coordinator moved {(DateTimeOffset.UtcNow - stoppedAt).TotalSeconds:F1} s after it stopped (lease {LeaseDuration.TotalSeconds} s)");

        foreach (var table in tables) await _h.WaitForFullSyncAsync(survivors[0], table);
        foreach (var table in tables) await ChurnAsync(table, 0, 30);

        // Stop, mid-incremental and without warning, a node that holds a shard.
        var shardHolder = await WaitForAsync(async () =>
            (await view.LeasesAsync(CancellationToken.None)).FirstOrDefault(l => l.Kind == LeaseKind.Shard && l.Owner is not null && l.ExpiresAt > DateTimeOffset.UtcNow)?.Owner,
            TimeSpan.FromMinutes(1), "no shard lease was taken after the full sync");
        var second = survivors.Single(n => n.Cluster.NodeId == shardHolder);
        await second.StopWithoutHandOverAsync();
        var last = survivors.Single(n => n != second);
        view = new CheckpointClusterView(last.Cluster, store);
        foreach (var table in tables) await ChurnAsync(table, 30, 30);

        foreach (var table in tables) await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
        // Every unfinished shard that was ever leased ends up the last node's. Sampled once, a lease can be seen between
        // a worker handing it back (its shard actor stopped, e.g. on a refused checkpoint or a reported gap) and the
        // next lease tick taking it again, with no owner: wait for the state the cluster converges to, and say which
        // leases kept it from converging.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var shards = (await view.LeasesAsync(CancellationToken.None)).Where(l => l.Kind == LeaseKind.Shard && l.Counter > 0).ToArray();
            if (shards.Length > 0 && shards.All(s => s.Owner == last.Cluster.NodeId && s.ExpiresAt > DateTimeOffset.UtcNow)) break;
            if (DateTimeOffset.UtcNow > deadline)
                Assert.Fail($"the shard leases did not all move to {last.Cluster.NodeId}: " +
                    string.Join(", ", shards.Select(s => $"{s.LeaseId} owner {s.Owner ?? "(none)"} counter {s.Counter} status {s.Status}")));
            await Task.Delay(200);
        }
        Assert.Equal(last.Cluster.NodeId, (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId);
        // Nothing is trimmed in a run of minutes: a re-synced table would mean a gap was reported that is not one.
        foreach (var table in tables) Assert.Equal(0, (await store.GetTableAsync(table))!.Generation);

        Assert.True(monitor.Samples > 10, $"the checkpoint monitor took only {monitor.Samples} samples");
        Assert.Empty(monitor.Regressions);
    }

    [Fact]
    public async Task A_node_that_stops_gracefully_leaves_and_hands_its_leases_back_at_once()
    {
        var table = await CreateTableAsync("-leave", 300);
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        var first = await _h.StartNodeAsync(NodeSettings(1));
        var second = await _h.StartNodeAsync(NodeSettings(2));
        _nodes.Add(second);
        var view = new CheckpointClusterView(second.Cluster, store);

        await WaitForAsync(async () =>
        {
            var held = HeldSegmentsByOwner(await view.LeasesAsync(CancellationToken.None));
            return held.GetValueOrDefault("node-1") > 0 && held.GetValueOrDefault("node-2") > 0 ? held : null;
        }, TimeSpan.FromMinutes(1), "the two nodes did not both take segments");

        await first.DisposeAsync();

        // At once, not after the lease expires: node-1 is gone from the members and holds nothing.
        Assert.DoesNotContain("node-1", (await view.MembersAsync(CancellationToken.None)).Members.Select(m => m.NodeId));
        var leases = await view.LeasesAsync(CancellationToken.None);
        Assert.DoesNotContain(leases, l => l.Owner == "node-1" && l.ExpiresAt is not null);

        await _h.WaitForFullSyncAsync(second, table);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
        Assert.Equal("node-2", (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId);
    }

    [Fact]
    public async Task On_a_first_run_two_nodes_apply_the_writes_made_after_the_full_sync_without_any_restart()
    {
        var table = await CreateTableAsync("-first", 60);
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(1)));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(2)));
        var view = new CheckpointClusterView(_nodes[0].Cluster, store);
        await _h.WaitForFullSyncAsync(_nodes[0], table);
        var coordinator = (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId;
        Assert.NotNull(coordinator);

        await ChurnAsync(table, 0, 30);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);

        // Applied by a shard lease of this run: no node stopped, the coordinator never changed hands.
        Assert.Equal(coordinator, (await view.MembersAsync(CancellationToken.None)).CoordinatorNodeId);
        var shard = Assert.Single(await view.LeasesAsync(CancellationToken.None), l => l.Kind == LeaseKind.Shard);
        Assert.True(shard.Counter > 0, $"shard {shard.LeaseId} was never leased (status {shard.Status})");
    }

    private static Dictionary<string, int> HeldSegmentsByOwner(IReadOnlyList<LeaseView> leases) =>
        leases.Where(l => l.Kind == LeaseKind.Segment && l.Owner is not null && l.ExpiresAt > DateTimeOffset.UtcNow)
            .GroupBy(l => l.Owner!).ToDictionary(g => g.Key, g => g.Count());

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string failure) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail(failure);
            await Task.Delay(200);
        }
    }

    private async Task<string> CreateTableAsync(string suffix, int items)
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + suffix, "pk");
        await new DynamoItemGenerator("pk", seed: items).PutItemsAsync(_h.Dynamo, table, items);
        return table;
    }

    private async Task ChurnAsync(string table, int from, int count)
    {
        var generator = new DynamoItemGenerator("pk", seed: 11);
        for (var i = from; i < from + count; i++)
        {
            if (i % 3 == 2) await _h.Dynamo.DeleteItemAsync(table, new() { ["pk"] = new() { S = DynamoItemGenerator.KeyOf(i) } });
            else await _h.Dynamo.PutItemAsync(table, generator.Item(i % 3 == 0 ? i : 100_000 + i));
        }
    }
}
