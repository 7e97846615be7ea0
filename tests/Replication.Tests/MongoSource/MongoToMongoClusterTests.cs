using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.Testing;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// A MongoDB source copied by a cluster: three in-process nodes (three actor systems forming an Akka cluster over real
/// remoting on free localhost ports, each with its own clients) share the <c>_id</c> ranges of one collection through
/// the leases in the range checkpoints, and the ranges of a node stopped without warning (no drain, no lease handed
/// back, no cluster leave) are finished by the others.
/// </summary>
public sealed class MongoToMongoClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    private MongoToMongoHarness _h = null!;
    private readonly List<MongoReplicationNode> _nodes = [];
    private readonly int[] _ports = Enumerable.Range(0, 4).Select(_ => ChildProcesses.FreePort()).ToArray();

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await _h.DisposeAsync();
    }

    /// <summary>Node <paramref name="n"/> (1…3); all three are seeds, node 1 forms the cluster. Failure detection and the Split Brain Resolver are fast here.</summary>
    private ReplicationSettings NodeSettings(int n) => _h.Settings(
        "replication.cluster.enabled=on",
        "replication.cluster.hostname=\"127.0.0.1\"",
        $"replication.cluster.port={_ports[n]}",
        $"replication.cluster.seed-nodes=[\"127.0.0.1:{_ports[1]}\", \"127.0.0.1:{_ports[2]}\", \"127.0.0.1:{_ports[3]}\"]",
        "replication.cluster.split-brain-resolver.stable-after=2s",
        "akka.cluster.seed-node-timeout=1s",
        "akka.cluster.retry-unsuccessful-join-after=1s",
        "akka.cluster.gossip-interval=300ms",
        "akka.cluster.leader-actions-interval=300ms",
        "akka.cluster.unreachable-nodes-reaper-interval=300ms",
        "akka.cluster.failure-detector.heartbeat-interval=300ms",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause=2s",
        "akka.cluster.singleton.hand-over-retry-interval=300ms",
        "akka.cluster.singleton.lease-retry-interval=500ms",
        $"replication.cluster.lease-duration={LeaseDuration.TotalSeconds}s",
        "replication.cluster.lease-renew-interval=1s",
        "replication.mode=full",
        "replication.filter.include=[\"shop\"]",
        "replication.source.mongodb.range-documents=100",
        "replication.source.mongodb.batch-size=10",
        // Per node: slow enough that the copy is still running when a node is stopped, on any machine.
        "replication.full-sync.items-per-second=20");

    [Fact]
    public async Task Three_nodes_copy_the_ranges_of_a_collection_between_them_and_the_ranges_of_a_node_stopped_without_hand_over_are_finished_by_the_others()
    {
        await _h.SourceCollection("shop.orders").InsertManyAsync(Enumerable.Range(0, 900)
            .Select(i => new BsonDocument { { "_id", i }, { "n", i }, { "pad", new string('x', 50) } }));
        var settings = NodeSettings(1);
        var ranges = _h.Target.GetDatabase(settings.CheckpointDatabase).GetCollection<BsonDocument>("mongoRanges");
        // Node 1 forms the cluster, so it is the oldest member and runs the coordinator singleton (it plans the ranges).
        var first = await _h.StartNodeAsync(settings);
        _nodes.Add(first);
        var second = await _h.StartNodeAsync(NodeSettings(2));
        _nodes.Add(second);
        _nodes.Add(await _h.StartNodeAsync(NodeSettings(3)));

        // The ranges spread: at one moment unfinished ranges are leased to at least two nodes, one of them the second.
        var secondId = second.Cluster.NodeId;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        List<BsonDocument> leased;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the ranges were never leased to two nodes at once, one of them the second");
            leased = await ranges.Find(new BsonDocument { { "done", false }, { "lease.owner", new BsonDocument("$type", "string") } }).ToListAsync();
            var owners = leased.Select(r => r["lease"]["owner"].AsString).Distinct().ToList();
            if (owners.Count >= 2 && owners.Contains(secondId)) break;
            await Task.Delay(100);
        }
        var orphaned = leased.Where(r => r["lease"]["owner"].AsString == secondId).Select(r => r["_id"].AsString).ToList();
        output.WriteLine($"stopping {secondId} without hand-over while it holds {string.Join(", ", orphaned)}");
        await second.StopWithoutHandOverAsync();

        var ended = await first.Completion.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(ended.Success, ended.Message);
        await _h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders" });
        var all = await ranges.Find(new BsonDocument("ns", "shop.orders")).ToListAsync();
        foreach (var r in all) output.WriteLine($"{r["_id"]}: done by {r.GetValue("doneBy", BsonNull.Value)}, {r["copied"]} copied");
        Assert.True(all.Count >= 4, $"the collection was split into {all.Count} range(s) only: the test proves nothing");
        Assert.All(all, r => Assert.True(r["done"].AsBoolean));
        // Every range was finished under a lease, by more than one node; the stopped node's ranges by the others.
        var doneBy = all.ToDictionary(r => r["_id"].AsString, r => r["doneBy"].AsString);
        Assert.True(doneBy.Values.Distinct().Count() >= 2, "the ranges were all copied by one node");
        Assert.All(orphaned, id => Assert.NotEqual(secondId, doneBy[id]));
    }
}
