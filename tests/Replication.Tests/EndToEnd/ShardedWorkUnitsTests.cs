using System.Collections.Concurrent;
using System.Net.Http.Json;
using Replication.Checkpoints;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Cluster;
using Replication.Coordinator.Management.Progress;
using Replication.Tests.Dynamo;
using Replication.Testing;
using Replication.Tests.Cluster;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// The Scan segments as Akka Cluster Sharding entities, seen from the outside: three in-process nodes (three actor systems
/// forming an Akka cluster over real remoting) on DynamoDB Local and the in-memory MongoDB server. Sharding places each
/// unit's entity on one member, that member holds the unit's lease, and a rebalance hands units off without two holders.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardedWorkUnitsTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private ReplicationHarness _h = null!;
    private readonly List<ReplicationNode> _nodes = [];
    private readonly int[] _ports = Enumerable.Range(0, 4).Select(_ => ChildProcesses.FreePort()).ToArray();

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

    /// <summary>Node <paramref name="n"/> (1…3; node 1 is the seed) with a slow full sync of 6 segments and fast failure detection.</summary>
    private Replication.Configuration.ReplicationSettings NodeSettings(int n) => _h.Settings([
        .. FastClusterOverrides.For(_ports[n], [_ports[1]], TimeSpan.FromSeconds(4)),
        "replication.full-sync.segments=6",
        "replication.full-sync.page-size=10",
        "replication.full-sync.items-per-second=10"]);

    [Fact]
    public async Task Each_unit_of_a_table_is_hosted_by_exactly_one_of_three_nodes_which_holds_its_lease()
    {
        var table = await CreateTableAsync("-spread", 900);
        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, 3).Select(n => _h.StartNodeAsync(NodeSettings(n)))));
        var nodes = _nodes.Select(n => n.Cluster.NodeId).ToHashSet();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // From any node's /cluster/shards: every running segment is an entity of exactly one member's shard region, and
        // its lease (from the checkpoints) names that member; all three members host some.
        var seen = await WaitForAsync(async () =>
        {
            var shards = await http.GetFromJsonAsync<ClusterShardsResponse>(new Uri(_nodes[2].Management.BaseAddress, "cluster/shards"), ManagementJson.Options);
            var running = shards!.Leases.Where(l => l.Kind == "segment" && l.Table == table && l.Status == "Running" && l.Owner is not null && !l.Expired).ToList();
            var hosts = shards.Sharding.SelectMany(n => n.Shards.SelectMany(s => s.Entities).Select(e => (n.Node, e))).ToList();
            var everyUnitOnceOnItsOwner = running.Count == 6 && running.All(l =>
                hosts.Count(h => h.e.EntityId == l.LeaseId) == 1 && hosts.Single(h => h.e.EntityId == l.LeaseId) is var host
                && host.Node == l.Owner && host.e.LeaseOwner == l.Owner && host.e.LeaseCounter == l.Counter);
            var onEveryNode = shards.Sharding.Count == 3 && shards.Sharding.All(n => n.Error is null && nodes.Contains(n.Node) && n.Entities > 0);
            return everyUnitOnceOnItsOwner && onEveryNode ? shards : null;
        }, "the segments were not each hosted by exactly one of the three nodes, holding its lease");
        foreach (var node in seen.Sharding)
            output.WriteLine($"{node.Node}: {string.Join(", ", node.Shards.SelectMany(s => s.Entities.Select(e => $"{e.EntityId} (shard {s.ShardId}, counter {e.LeaseCounter})")))}");

        // /progress lists the members holding segments, by the same names, with their segment counts.
        var progress = (await http.GetFromJsonAsync<ProgressResponse>(new Uri(_nodes[1].Management.BaseAddress, "progress"), ManagementJson.Options))!.Progress;
        Assert.NotNull(progress.Nodes);
        Assert.All(progress.Nodes, n => Assert.True(nodes.Contains(n.Node) && n.Segments is not null && n.Ranges is null, $"unexpected /progress node entry {n}"));
        Assert.Contains(progress.Nodes, n => n.Segments > 0);

        await _h.WaitForFullSyncAsync(_nodes[0], table);
        await _h.WaitUntilTargetEqualsSourceAsync(_nodes[0].Settings, table);
    }

    [Fact]
    public async Task A_rebalance_to_joining_nodes_hands_units_off_and_never_lets_two_nodes_hold_one()
    {
        var table = await CreateTableAsync("-rebalance", 900);
        var settings = NodeSettings(1);
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        await using var monitor = new CheckpointMonitor(store, table);
        var first = await _h.StartNodeAsync(settings);
        _nodes.Add(first);
        // Alone, the first node hosts every segment.
        await WaitForAsync(async () => await store.GetTableAsync(table) is { FullSync.Status: FullSyncStatus.Running } t
            && t.FullSync.Segments.Values.Count(s => s.Lease?.Owner == first.Cluster.NodeId && s.ItemsWritten > 0) == 6 ? t : null,
            "the first node did not take all six segments");

        // Every 100 ms, as the two joining nodes make sharding rebalance: a segment's lease counter never goes down, its
        // owner never changes without a new counter, and no unit is hosted by two shard regions at once.
        var problems = new ConcurrentQueue<string>();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync(store, table, problems, sampling.Token);
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(2)));
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(3)));

        var moved = await WaitForAsync(async () => await store.GetTableAsync(table) is { } t
            && t.FullSync.Segments.Values.Where(s => s.Status == SegmentStatus.Running && s.ItemsWritten > 0).Select(s => s.Lease?.Owner).Distinct().Count() == 3 ? t : null,
            "sharding did not rebalance the running segments onto the joining nodes");
        output.WriteLine("after the rebalance: " + string.Join(", ", moved.FullSync.Segments.Values.OrderBy(s => s.Segment)
            .Select(s => $"#{s.Segment} {s.Status} {s.ItemsWritten} items on {s.Lease?.Owner} (counter {s.Lease?.Counter})")));
        Assert.True(moved.FullSync.Segments.Values.Any(s => s.Lease is { Counter: > 6 }), "no segment changed hands: the test proved nothing");

        await _h.WaitForFullSyncAsync(_nodes[1], table);
        await sampling.CancelAsync();
        var samples = await sampler;
        Assert.True(samples > 10, $"only {samples} samples were taken: the test proved nothing");
        Assert.True(problems.IsEmpty, string.Join("; ", problems));
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
        await monitor.AssertNoneWentBackwardsAsync();
    }

    private async Task<int> SampleAsync(CheckpointStore store, string table, ConcurrentQueue<string> problems, CancellationToken cancellationToken)
    {
        var last = new Dictionary<int, CheckpointLease>();
        var samples = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await store.GetTableAsync(table, CancellationToken.None) is { } t)
                {
                    foreach (var segment in t.FullSync.Segments.Values)
                    {
                        if (segment.Lease is not { } lease) continue;
                        if (last.TryGetValue(segment.Segment, out var before)
                            && (lease.Counter < before.Counter || lease.Counter == before.Counter && lease.Owner is not null && before.Owner is not null && lease.Owner != before.Owner))
                            problems.Enqueue($"segment {segment.Segment}: lease went from {before.Owner}/{before.Counter} to {lease.Owner}/{lease.Counter}");
                        last[segment.Segment] = lease;
                    }
                }
                var hosted = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var region in await _nodes[0].ClusterView.ShardRegionsAsync(CancellationToken.None))
                foreach (var entity in region.Shards.SelectMany(s => s.Entities))
                {
                    if (hosted.TryGetValue(entity, out var other)) problems.Enqueue($"{entity} hosted by {other} and {region.Node} at once");
                    hosted[entity] = region.Node;
                }
                samples++;
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        return samples;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
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
}
