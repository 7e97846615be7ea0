using System.Text.Json;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Coordinator.Hosting;
using Replication.ShardActors.Cluster;
using Replication.Tests.Dynamo;
using Replication.Testing;
using Replication.Tests.Cluster;
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
/// Three nodes (three actor systems forming an Akka cluster over real remoting on free localhost ports, each with its own
/// clients) on one DynamoDB Local and one in-memory MongoDB server, with short leases and a fast failure detector and
/// Split Brain Resolver: the work spreads, and moves when nodes stop without warning (no drain, no lease handed back,
/// no cluster leave) or leave gracefully.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    private ReplicationHarness _h = null!;
    private readonly List<ReplicationNode> _nodes = [];
    private readonly int[] _ports = Enumerable.Range(0, 5).Select(_ => ChildProcesses.FreePort()).ToArray();

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

    /// <summary>
    /// Node <paramref name="n"/> (1…4) on its own port; nodes 1–3 are the seeds (node 1 forms the cluster, a later node
    /// joins through any seed still alive). Failure detection and the Split Brain Resolver are fast here; production
    /// keeps Akka's failure detector defaults and stable-after = 7s (see README).
    /// </summary>
    private Replication.Configuration.ReplicationSettings NodeSettings(int n, params string[] overrides) => _h.Settings([
        .. FastClusterOverrides.For(_ports[n], _ports[1..4], LeaseDuration),
        "replication.full-sync.segments=6",
        "replication.full-sync.page-size=10",
        // Per node: slow enough that the full sync is still running when a node is stopped, on any machine.
        "replication.full-sync.items-per-second=15",
        .. overrides]);

    [Fact]
    public async Task Three_nodes_share_the_leases_and_the_work_of_nodes_stopped_without_hand_over_moves_to_the_survivors()
    {
        var tables = new[] { await CreateTableAsync("-a", 500), await CreateTableAsync("-b", 500) };
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        using var monitor = new CheckpointMonitor(store, tables);

        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, 3).Select(n => _h.StartNodeAsync(NodeSettings(n)))));
        var view = _nodes[0].ClusterView;
        var addresses = _nodes.Select(n => n.Cluster.NodeId).Order().ToArray();
        Assert.Equal(3, addresses.Distinct().Count());

        // Over real HTTP, from any node: three Up members of the Akka cluster, in Akka Management's shape; every node ready.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await WaitForAsync(async () =>
        {
            using var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(_nodes[1].Management.BaseAddress, "cluster/members")));
            var listed = members.RootElement.GetProperty("members").EnumerateArray().ToArray();
            return listed.Select(m => m.GetProperty("node").GetString()).Order().SequenceEqual(addresses)
                && listed.All(m => m.GetProperty("status").GetString() == "Up" && long.TryParse(m.GetProperty("nodeUid").GetString(), out _))
                && members.RootElement.GetProperty("selfNode").GetString() == _nodes[1].Cluster.NodeId
                && members.RootElement.GetProperty("leader").GetString() is not null
                && members.RootElement.GetProperty("unreachable").GetArrayLength() == 0 ? (object)true : null;
        }, TimeSpan.FromMinutes(1), "the three nodes did not all become Up members");
        foreach (var node in _nodes)
        {
            await WaitForAsync(async () =>
            {
                using var ready = await http.GetAsync(new Uri(node.Management.BaseAddress, "ready"));
                return ready.IsSuccessStatusCode ? (object)true : null;
            }, TimeSpan.FromMinutes(1), $"{node.Cluster.NodeId} did not become ready");
        }
        var akkaOldest = (await view.MembersAsync(CancellationToken.None)).Oldest;

        // The twelve segment leases spread over the three nodes as evenly as whole sharding shards allow: a table's six
        // segments take six shards of their own, but the two tables' runs of shards may overlap, and the balancing stops
        // when no single shard of the busiest node would even it out with the idlest (4/4/4, or 5/4/3 with a shard of two).
        var spread = await WaitForAsync(async () =>
        {
            var held = HeldSegmentIdsByOwner(await view.LeasesAsync(CancellationToken.None));
            return held.Count == 3 && held.Values.Sum(ids => ids.Count) == 12 && BalancedByWholeShards(held, settings.Cluster.Shards)
                ? held.ToDictionary(h => h.Key, h => h.Value.Count) : null;
        }, TimeSpan.FromMinutes(1), "the segment leases did not spread evenly over the three nodes");
        output.WriteLine($"segment leases per node: {string.Join(", ", spread.Select(s => $"{s.Key}={s.Value}"))}");

        // Stop the coordinator's node without warning (no drain, no lease handed back), mid-full-sync.
        var coordinator = await WaitForAsync(() => CoordinatorAsync(view), TimeSpan.FromMinutes(1), "no node holds the coordinator lease");
        // The singleton runs on the oldest member, and its lease names that member.
        Assert.Equal(akkaOldest, coordinator);
        var first = _nodes.Single(n => n.Cluster.NodeId == coordinator);
        var orphaned = (await view.LeasesAsync(CancellationToken.None)).Where(l => l.Kind == LeaseKind.Segment && l.Owner == coordinator && l.Status != "Done")
            .Select(l => l.LeaseId).ToHashSet();
        Assert.NotEmpty(orphaned);
        foreach (var table in tables) Assert.NotEqual(FullSyncStatus.Done, (await store.GetTableAsync(table))!.FullSync.Status);
        var stoppedAt = DateTimeOffset.UtcNow;
        await first.StopWithoutHandOverAsync();
        var survivors = _nodes.Where(n => n != first).ToArray();
        view = survivors[0].ClusterView;

        // The stopped node's remoting is gone: the survivors see it unreachable, the Split Brain Resolver (keep-majority,
        // 2 of 3) downs it after stable-after, and it is removed; Akka's leader is a survivor.
        await WaitForAsync(async () =>
        {
            using var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(survivors[0].Management.BaseAddress, "cluster/members")));
            var listed = members.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("node").GetString()).ToArray();
            return !listed.Contains(coordinator) && listed.Length == 2 && members.RootElement.GetProperty("leader").GetString() != coordinator ? (object)true : null;
        }, TimeSpan.FromMinutes(1), $"/cluster/members still lists {coordinator}, or it still leads");
        var downedAfter = DateTimeOffset.UtcNow - stoppedAt;
        await WaitForAsync(async () =>
        {
            var leases = await view.LeasesAsync(CancellationToken.None);
            var moved = leases.Where(l => orphaned.Contains(l.LeaseId)).All(l => l.Status == "Done" || l.Owner != coordinator && l.ExpiresAt > DateTimeOffset.UtcNow);
            var newCoordinator = await CoordinatorAsync(view);
            return moved && newCoordinator is not null && newCoordinator != coordinator ? (object)true : null;
        }, TimeSpan.FromMinutes(1), $"the segments of {coordinator} or the coordinator did not move to the survivors");
        output.WriteLine($"failover: {coordinator} downed and removed {downedAfter.TotalSeconds:F1} s after it stopped; its {orphaned.Count} segments and the coordinator singleton " +
            $"ran on the survivors {(DateTimeOffset.UtcNow - stoppedAt).TotalSeconds:F1} s after it stopped (lease {LeaseDuration.TotalSeconds} s, stable-after 2 s)");

        foreach (var table in tables) await _h.WaitForFullSyncAsync(survivors[0], table);
        foreach (var table in tables) await ChurnAsync(table, 0, 30);

        // Scale out: a fourth node joins through the seeds still alive. (Two members could not survive the next crash:
        // keep-majority then keeps only the side with the lowest address, which may be the crashed one.)
        var joined = await _h.StartNodeAsync(NodeSettings(4));
        _nodes.Add(joined);
        var live = survivors.Append(joined).ToArray();
        // Every member must see all three Up: one that still sees the newcomer Joining counts two members, and its Split
        // Brain Resolver would take the next crash for an even split.
        await WaitForAsync(async () =>
        {
            foreach (var member in live)
                if ((await member.ClusterView.MembersAsync(CancellationToken.None)).Members is not { Count: 3 } members || members.Any(m => m.Status != "Up"))
                    return null;
            return (object)true;
        }, TimeSpan.FromMinutes(1), "the fourth node did not become an Up member in every member's view");

        // Stop, mid-incremental and without warning, a node that holds a shard.
        var shardHolder = await WaitForAsync(async () =>
            (await view.LeasesAsync(CancellationToken.None)).FirstOrDefault(l => l.Kind == LeaseKind.Shard && l.Owner is not null && l.ExpiresAt > DateTimeOffset.UtcNow)?.Owner,
            TimeSpan.FromMinutes(1), "no shard lease was taken after the full sync");
        var second = live.Single(n => n.Cluster.NodeId == shardHolder);
        await second.StopWithoutHandOverAsync();
        var remaining = live.Where(n => n != second).ToArray();
        var remainingIds = remaining.Select(n => n.Cluster.NodeId).ToHashSet();
        view = remaining[0].ClusterView;
        foreach (var table in tables) await ChurnAsync(table, 30, 30);

        foreach (var table in tables) await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
        // Every unfinished shard that was ever leased ends up on the two remaining nodes. Sampled once, a lease can be seen between
        // a worker handing it back (its shard actor stopped, e.g. on a refused checkpoint or a reported gap) and the
        // next lease tick taking it again, with no owner: wait for the state the cluster converges to, and say which
        // leases kept it from converging.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var shards = (await view.LeasesAsync(CancellationToken.None)).Where(l => l.Kind == LeaseKind.Shard && l.Counter > 0).ToArray();
            if (shards.Length > 0 && shards.All(s => s.Owner is { } o && remainingIds.Contains(o) && s.ExpiresAt > DateTimeOffset.UtcNow)) break;
            if (DateTimeOffset.UtcNow > deadline)
                Assert.Fail($"the shard leases did not all move to {string.Join(" and ", remainingIds)}: " +
                    string.Join(", ", shards.Select(s => $"{s.LeaseId} owner {s.Owner ?? "(none)"} counter {s.Counter} status {s.Status}")));
            await Task.Delay(200);
        }
        Assert.Contains(await WaitForAsync(async () => await CoordinatorAsync(view) is { } c && remainingIds.Contains(c) ? c : null,
            TimeSpan.FromMinutes(1), "the coordinator lease is not held by a remaining node"), remainingIds);
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
        var view = second.ClusterView;
        var (node1, node2) = (first.Cluster.NodeId, second.Cluster.NodeId);

        await WaitForAsync(async () =>
        {
            var held = HeldSegmentsByOwner(await view.LeasesAsync(CancellationToken.None));
            return held.GetValueOrDefault(node1) > 0 && held.GetValueOrDefault(node2) > 0 ? held : null;
        }, TimeSpan.FromMinutes(1), "the two nodes did not both take segments");
        // Node 1 formed the cluster: it is the oldest, so the coordinator singleton runs there.
        Assert.Equal(node1, await WaitForAsync(() => CoordinatorAsync(view), TimeSpan.FromMinutes(1), "no node holds the coordinator lease"));

        var stopping = DateTimeOffset.UtcNow;
        await first.DisposeAsync();
        var stoppedIn = DateTimeOffset.UtcNow - stopping;
        output.WriteLine($"graceful stop (drain, hand back, cluster leave) took {stoppedIn.TotalSeconds:F1} s");

        // Without waiting for any lease to expire: node 1 left the cluster and holds nothing, the singleton moved to node 2.
        Assert.True(stoppedIn < ReplicationNode.StopAfterDrainTimeout + TimeSpan.FromSeconds(30), $"the stop took {stoppedIn}");
        var leases = await view.LeasesAsync(CancellationToken.None);
        Assert.DoesNotContain(leases, l => l.Kind != LeaseKind.Coordinator && l.Owner == node1 && l.ExpiresAt is not null);
        await WaitForAsync(async () => (await view.MembersAsync(CancellationToken.None)).Members.All(m => m.Node != node1) ? (object)true : null,
            TimeSpan.FromSeconds(30), $"{node1} is still a member after leaving");
        Assert.Equal(node2, await WaitForAsync(async () => await CoordinatorAsync(view) is { } c && c != node1 ? c : null,
            TimeSpan.FromSeconds(30), "the coordinator singleton did not move to node 2"));

        await _h.WaitForFullSyncAsync(second, table);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
    }

    [Fact]
    public async Task On_a_first_run_two_nodes_apply_the_writes_made_after_the_full_sync_without_any_restart()
    {
        var table = await CreateTableAsync("-first", 60);
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(1)));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(2)));
        var view = _nodes[0].ClusterView;
        await _h.WaitForFullSyncAsync(_nodes[0], table);
        var coordinator = await WaitForAsync(() => CoordinatorAsync(view), TimeSpan.FromMinutes(1), "no node holds the coordinator lease");

        await ChurnAsync(table, 0, 30);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);

        // Applied by a shard lease of this run: no node stopped, the coordinator never changed hands.
        Assert.Equal(coordinator, await CoordinatorAsync(view));
        var shard = Assert.Single(await view.LeasesAsync(CancellationToken.None), l => l.Kind == LeaseKind.Shard);
        Assert.True(shard.Counter > 0, $"shard {shard.LeaseId} was never leased (status {shard.Status})");
    }

    [Fact]
    public async Task In_mode_full_the_coordinators_member_ends_when_the_copy_is_done_and_each_other_member_once_it_takes_the_coordinator_over()
    {
        var table = await CreateTableAsync("-full", 60);
        var settings = NodeSettings(1, "replication.mode=full");
        _nodes.Add(await _h.StartNodeAsync(settings));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(2, "replication.mode=full")));

        var ending = await Task.WhenAny(_nodes.Select(n => n.Completion)).WaitAsync(TimeSpan.FromMinutes(3));
        var ended = await ending;
        Assert.True(ended.Success, ended.Message);
        var done = _nodes.Single(n => n.Completion == ending);
        var other = _nodes.Single(n => n != done);
        Assert.False(other.Completion.IsCompleted);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);

        // The process of a run that ended exits: the coordinator moves to the member left, which finds the copy done
        // in the checkpoints and ends too, without copying again.
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        var written = (await store.GetTableAsync(table))!.FullSync.ItemsWritten;
        await done.DisposeAsync();
        var endedToo = await other.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(endedToo.Success, endedToo.Message);
        Assert.Equal(written, (await store.GetTableAsync(table))!.FullSync.ItemsWritten);
    }

    [Fact]
    public async Task Two_one_node_clusters_with_the_same_id_run_one_coordinator_and_the_standby_takes_over_when_it_stops()
    {
        var table = await CreateTableAsync("-standby", 200);
        // cluster.enabled = off: each node is a one-node cluster of its own, so only the singleton's lease keeps them apart.
        var settings = _h.Settings("replication.full-sync.items-per-second=40", "replication.full-sync.page-size=10",
            "replication.cluster.lease-duration=4s", "replication.cluster.lease-renew-interval=1s", "akka.cluster.singleton.lease-retry-interval=500ms");
        var first = await _h.StartNodeAsync(settings);
        _nodes.Add(first);
        Assert.Equal(first.Cluster.NodeId, await WaitForAsync(() => CoordinatorAsync(first.ClusterView), TimeSpan.FromMinutes(1), "the first node did not take the coordinator lease"));
        var standby = await _h.StartNodeAsync(settings);
        _nodes.Add(standby);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        await WaitForAsync(async () => (await standby.ClusterView.MembersAsync(CancellationToken.None)).Members is [{ Status: "Up" }] ? (object)true : null,
            TimeSpan.FromMinutes(1), "the standby did not become Up in its own cluster");
        await WaitForAsync(async () => (await store.GetTableAsync(table))?.FullSync.ItemsWritten > 0 ? (object)true : null, TimeSpan.FromMinutes(1), "the first node did not start copying");
        // The standby is Up in its own cluster, but its singleton manager waits for the lease: no coordinator runs there.
        Assert.False(await RunsCoordinatorAsync(standby, settings.Id), "the standby runs a second coordinator");
        Assert.True(await RunsCoordinatorAsync(first, settings.Id), "the lease holder runs no coordinator");

        await first.DisposeAsync();

        Assert.Equal(standby.Cluster.NodeId, await WaitForAsync(async () => await CoordinatorAsync(standby.ClusterView) is { } c && c != first.Cluster.NodeId ? c : null,
            TimeSpan.FromMinutes(1), "the standby did not take the coordinator lease"));
        Assert.True(await RunsCoordinatorAsync(standby, settings.Id), "the standby took the lease but runs no coordinator");
        await _h.WaitForFullSyncAsync(standby, table);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
    }

    /// <summary>Whether the node's ClusterSingletonManager has started the coordinator (its child named "singleton").</summary>
    private static async Task<bool> RunsCoordinatorAsync(ReplicationNode node, string replicationId)
    {
        var identity = await node.System.ActorSelection($"/user/{NodeActorSystem.CoordinatorName(replicationId)}/singleton")
            .Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10));
        return identity.Subject is not null;
    }

    /// <summary>The member holding the coordinator singleton's lease, or null while nobody does.</summary>
    private static async Task<string?> CoordinatorAsync(IClusterView view) =>
        (await view.LeasesAsync(CancellationToken.None)).Single(l => l.Kind == LeaseKind.Coordinator) is { Status: "Held" } lease ? lease.Owner : null;

    private static Dictionary<string, int> HeldSegmentsByOwner(IReadOnlyList<LeaseView> leases) =>
        HeldSegmentIdsByOwner(leases).ToDictionary(h => h.Key, h => h.Value.Count);

    private static Dictionary<string, List<string>> HeldSegmentIdsByOwner(IReadOnlyList<LeaseView> leases) =>
        leases.Where(l => l.Kind == LeaseKind.Segment && l.Owner is not null && l.ExpiresAt > DateTimeOffset.UtcNow)
            .GroupBy(l => l.Owner!).ToDictionary(g => g.Key, g => g.Select(l => l.LeaseId).ToList());

    /// <summary>
    /// The balancing's end state (see UnitBalancingStrategy): every shard on the busiest node carries at least as many of
    /// its running segments as the busiest node has more than the idlest, so moving any one of them would not even them out.
    /// </summary>
    private static bool BalancedByWholeShards(Dictionary<string, List<string>> held, int shards)
    {
        var busiest = held.Values.MaxBy(ids => ids.Count)!;
        var gap = busiest.Count - held.Values.Min(ids => ids.Count);
        return busiest.GroupBy(id => UnitMessageExtractor.ShardOf(id, shards)).All(shard => shard.Count() >= gap);
    }

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
