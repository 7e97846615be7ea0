using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Management.Cluster;
using Replication.ShardActors.MongoSource;
using Replication.Testing;
using Replication.Tests.Cluster;
using Replication.Tests.EndToEnd;
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

    /// <summary>Node <paramref name="n"/> (1…3) copying shop slowly, in mode full.</summary>
    private ReplicationSettings NodeSettings(int n) => ClusterNodeSettings(n,
        "replication.mode=full",
        "replication.filter.include=[\"shop\"]",
        "replication.source.mongodb.range-documents=100",
        "replication.source.mongodb.batch-size=10",
        // Per node: slow enough that the copy is still running when a node is stopped, on any machine.
        "replication.full-sync.items-per-second=20");

    /// <summary>Node <paramref name="n"/> (1…3); all three are seeds, node 1 forms the cluster. Failure detection and the Split Brain Resolver are fast here.</summary>
    private ReplicationSettings ClusterNodeSettings(int n, params string[] overrides) => ClusterNodeSettings(_h, n, overrides);

    private ReplicationSettings ClusterNodeSettings(MongoToMongoHarness h, int n, params string[] overrides) => h.Settings([
        .. FastClusterOverrides.For(_ports[n], _ports[1..4], LeaseDuration),
        .. overrides]);

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
        // /cluster/shards lists the range leases (as segments) with their owners.
        var views = await first.ClusterView.LeasesAsync(default);
        Assert.Contains(views, v => v.LeaseId.StartsWith("range/", StringComparison.Ordinal) && v.Kind == LeaseKind.Segment && v.Owner == secondId);
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

    [Fact]
    public async Task Each_change_stream_is_followed_by_one_member_also_by_members_that_do_not_run_the_coordinator_and_the_changes_after_the_copy_reach_the_target()
    {
        string[] databases = ["crm", "inventory", "shop"];
        var namespaces = databases.ToDictionary(d => $"{d}.items", d => $"{d}.items");
        foreach (var ns in namespaces.Keys)
            await _h.SourceCollection(ns).InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        string[] overrides =
        [
            "replication.mode=all", "replication.source.mongodb.change-stream=database", "replication.filter.include=[\"crm\", \"inventory\", \"shop\"]",
            // Nothing fails over here: long leases keep a starved renewal on a loaded machine from moving a stream meanwhile.
            "replication.cluster.lease-duration=30s", "replication.cluster.lease-renew-interval=2s",
        ];
        var settings = ClusterNodeSettings(1, overrides);
        var checkpoints = _h.Checkpoints(settings);
        _nodes.Add(await _h.StartNodeAsync(settings));
        _nodes.Add(await _h.StartNodeAsync(ClusterNodeSettings(2, overrides)));
        _nodes.Add(await _h.StartNodeAsync(ClusterNodeSettings(3, overrides)));
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental, TimeSpan.FromMinutes(3));
        await _h.WaitUntilEqualAsync(namespaces);

        // The three streams (one per database) spread over the three members, one each: two of them on members that do
        // not run the coordinator singleton.
        var nodeIds = _nodes.Select(n => n.Cluster.NodeId).ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        IReadOnlyList<StreamCheckpoint> streams;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the change streams never spread over the three members");
            streams = await checkpoints.LoadStreamsAsync(1, default);
            var owners = streams.Select(s => s.Lease?.Owner).ToList();
            if (streams.Count == 3 && owners.All(o => o is not null && nodeIds.Contains(o)) && owners.Distinct().Count() == 3) break;
            await Task.Delay(100);
        }
        var coordinator = Assert.Single(_nodes, n => n.Cluster.HoldsCoordinatorLease());
        var elsewhere = streams.Where(s => s.Lease!.Owner != coordinator.Cluster.NodeId).ToList();
        Assert.Equal(2, elsewhere.Count);
        foreach (var s in streams) output.WriteLine($"stream {s.Unit}: lease {s.Lease!.Owner} (counter {s.Lease.Counter}), {s.EventsApplied} events");

        // Changes after the copy, in every database, reach the target; the streams of the other members applied theirs under their leases.
        foreach (var ns in namespaces.Keys)
        {
            var collection = _h.SourceCollection(ns);
            await collection.InsertManyAsync(Enumerable.Range(100, 20).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
            await collection.UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$lt", 10)), new BsonDocument("$set", new BsonDocument("changed", true)));
            await collection.DeleteManyAsync(new BsonDocument("_id", new BsonDocument("$gte", 40).Add("$lt", 50)));
        }
        await _h.WaitUntilEqualAsync(namespaces);
        var after = (await checkpoints.LoadStreamsAsync(1, default)).ToDictionary(s => s.Unit);
        foreach (var s in elsewhere)
        {
            var now = after[s.Unit];
            Assert.True(now.EventsApplied >= s.EventsApplied + 40, $"stream {s.Unit} applied {now.EventsApplied - s.EventsApplied} events after the copy");
            Assert.Equal((s.Lease!.Owner, s.Lease.Counter), (now.Lease?.Owner, now.Lease?.Counter)); // no other node took it meanwhile
        }

        // Every node's /cluster/shards and /progress show each stream with its owner, as a sharded entity hosted by
        // exactly that member and shown with its lease.
        foreach (var node in _nodes)
        {
            var leases = await node.ClusterView.LeasesAsync(default);
            foreach (var s in after.Values)
                Assert.Contains(leases, l => l.LeaseId == $"stream/{s.Unit}" && l.Owner == s.Lease!.Owner && l.Status == "Following");
            var shards = ClusterShardsResponse.From(leases, await node.ClusterView.ShardRegionsAsync(default), DateTimeOffset.UtcNow);
            var hosted = shards.Sharding.SelectMany(n => n.Shards.SelectMany(sh => sh.Entities).Select(e => (n.Node, Entity: e))).ToList();
            foreach (var s in after.Values)
            {
                var host = Assert.Single(hosted, h => h.Entity.EntityId == $"stream/{s.Unit}");
                Assert.Equal(s.Lease!.Owner, host.Node);
                Assert.Equal((s.Lease.Owner, s.Lease.Counter), (host.Entity.LeaseOwner, host.Entity.LeaseCounter));
            }
            var progress = await node.Progress.BuildAsync(default);
            Assert.NotNull(progress.ChangeStreams);
            Assert.Equal(after.Values.Select(s => (s.Unit, s.Lease!.Owner)).OrderBy(u => u.Unit, StringComparer.Ordinal),
                progress.ChangeStreams.Select(c => (c.Unit, c.Owner)));
        }
    }

    [Fact]
    public async Task A_resume_point_lost_on_a_member_that_does_not_run_the_coordinator_is_reported_to_it_and_the_run_copies_again()
    {
        // The source's change log keeps 200 changes: the 400 made during the copy push the recorded start positions out of it.
        await using var h = new MongoToMongoHarness(output, changeLogCapacity: 200);
        string[] databases = ["crm", "shop"];
        var namespaces = databases.ToDictionary(d => $"{d}.items", d => $"{d}.items");
        foreach (var ns in namespaces.Keys)
            await h.SourceCollection(ns).InsertManyAsync(Enumerable.Range(0, 300).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        string[] overrides =
        [
            "replication.mode=all", "replication.source.mongodb.change-stream=database", "replication.filter.include=[\"crm\", \"shop\"]",
            "replication.incremental.on-trimmed-data=resync", "replication.source.mongodb.batch-size=20", "replication.full-sync.items-per-second=100",
        ];
        var settings = ClusterNodeSettings(h, 1, overrides);
        var logs = new[] { new CapturedLogs(), new CapturedLogs() };
        try
        {
            await CopyAgainAfterALostResumePointAsync(h, settings, overrides, namespaces, logs);
        }
        finally
        {
            // The nodes stop before this test's servers do.
            foreach (var node in _nodes) await node.DisposeAsync();
        }
    }

    private async Task CopyAgainAfterALostResumePointAsync(MongoToMongoHarness h, ReplicationSettings settings, string[] overrides,
        Dictionary<string, string> namespaces, CapturedLogs[] logs)
    {
        var checkpoints = h.Checkpoints(settings);
        var first = await h.StartNodeAsync(settings, logs[0]);
        _nodes.Add(first);
        var second = await h.StartNodeAsync(ClusterNodeSettings(h, 2, overrides), logs[1]);
        _nodes.Add(second);
        await h.WaitForPhaseAsync(settings, MongoSyncPhase.Copying, TimeSpan.FromMinutes(3));
        var crm = h.SourceCollection("crm.items");
        for (var i = 0; i < 400; i++) await crm.UpdateOneAsync(new BsonDocument("_id", i % 300), new BsonDocument("$set", new BsonDocument("gap", i)));

        // Once the copy is done, each member follows one of the two streams; both find their start position gone. The
        // member without the coordinator reports it through its lease, the coordinator copies everything again.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while ((await checkpoints.LoadStateAsync(default)) is not { Generation: 2, Phase: MongoSyncPhase.Incremental })
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not copy again into generation 2 after the lost resume point");
            await Task.Delay(100);
        }
        var coordinator = Assert.Single(_nodes, n => n.Cluster.HoldsCoordinatorLease());
        var other = coordinator == first ? 1 : 0;
        Assert.Contains(logs[other].At(LogLevel.Error), l => l.Contains("no longer holds that point", StringComparison.Ordinal) && l.Contains("reporting it to the coordinator", StringComparison.Ordinal));
        await h.SourceCollection("shop.items").InsertOneAsync(new BsonDocument { { "_id", "after-resync" }, { "n", -1 } });
        await crm.DeleteOneAsync(new BsonDocument("_id", 7));
        await h.WaitUntilEqualAsync(namespaces, TimeSpan.FromMinutes(3));
        Assert.Null(await checkpoints.FindLostStreamAsync(2, default));
        Assert.All(await checkpoints.LoadStreamsAsync(2, default), s => Assert.NotNull(s.Lease?.Owner)); // generation 2's streams are leased again
    }

    [Fact]
    public async Task With_on_trimmed_data_stop_a_lost_resume_point_stops_the_streams_of_every_member_and_no_member_copies_again()
    {
        // The source's change log keeps 200 changes: a member down while 300 are made loses its stream's resume point.
        await using var h = new MongoToMongoHarness(output, changeLogCapacity: 200);
        var namespaces = new[] { "crm.items", "shop.items" }.ToDictionary(ns => ns, ns => ns);
        foreach (var ns in namespaces.Keys)
            await h.SourceCollection(ns).InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        string[] overrides =
        [
            "replication.mode=all", "replication.source.mongodb.change-stream=database", "replication.filter.include=[\"crm\", \"shop\"]",
            "replication.incremental.on-trimmed-data=stop", "replication.source.mongodb.batch-size=20",
        ];
        var logs = new[] { new CapturedLogs(), new CapturedLogs(), new CapturedLogs() };
        try
        {
            await StopEveryStreamAfterALostResumePointAsync(h, overrides, namespaces, logs);
        }
        finally
        {
            // The nodes stop before this test's servers do.
            foreach (var node in _nodes) await node.DisposeAsync();
        }
    }

    private async Task StopEveryStreamAfterALostResumePointAsync(MongoToMongoHarness h, string[] overrides, Dictionary<string, string> namespaces, CapturedLogs[] logs)
    {
        var settings = ClusterNodeSettings(h, 1, overrides);
        var checkpoints = h.Checkpoints(settings);
        for (var n = 1; n <= 3; n++) _nodes.Add(await h.StartNodeAsync(n == 1 ? settings : ClusterNodeSettings(h, n, overrides), logs[n - 1]));
        await h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental, TimeSpan.FromMinutes(3));
        await h.WaitUntilEqualAsync(namespaces, TimeSpan.FromMinutes(3));

        // One stream is followed by a member that does not run the coordinator: that member goes down without warning.
        var coordinator = _nodes[0];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        StreamCheckpoint lost;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "no stream was leased to a member that does not run the coordinator");
            var streams = await checkpoints.LoadStreamsAsync(1, default);
            if (streams.Count == 2 && streams.All(s => s.Lease?.Owner is not null)
                && streams.FirstOrDefault(s => s.Lease!.Owner != coordinator.Cluster.NodeId) is { } elsewhere)
            {
                lost = elsewhere;
                break;
            }
            await Task.Delay(100);
        }
        Assert.True(coordinator.Cluster.HoldsCoordinatorLease());
        var down = _nodes.Single(n => n.Cluster.NodeId == lost.Lease!.Owner);
        var following = namespaces.Keys.Single(ns => !ns.StartsWith(lost.Unit + ".", StringComparison.Ordinal));
        output.WriteLine($"stopping {down.Cluster.NodeId}, which follows stream {lost.Unit}, without hand-over");
        await down.StopWithoutHandOverAsync();

        // While it is down its database changes 300 times: its stream's resume point leaves the change log. The other
        // stream keeps following (it applies changes up to the last one made) until the member that takes the lost
        // stream over reports the lost resume point and the coordinator stops the run.
        var changed = h.SourceCollection($"{lost.Unit}.items");
        var other = h.SourceCollection(following);
        for (var round = 0; round < 6; round++)
        {
            await changed.UpdateManyAsync(new BsonDocument(), new BsonDocument("$set", new BsonDocument("gap", round)));
            if (round % 3 == 2) await other.UpdateManyAsync(new BsonDocument(), new BsonDocument("$set", new BsonDocument("before", round)));
        }
        var ended = await coordinator.Completion.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.False(ended.Success);
        Assert.Contains("on-trimmed-data = stop", ended.Message);
        await logs[0].WaitForAsync(LogLevel.Error, l => l.Contains("stopping (incremental.on-trimmed-data = stop)", StringComparison.Ordinal), "the coordinator's stop");

        // The run ended: no member applies a change of any stream any more, however long it is given.
        var stopped = (await checkpoints.LoadStreamsAsync(1, default)).ToDictionary(s => s.Unit);
        await other.InsertOneAsync(new BsonDocument { { "_id", "after-stop" }, { "n", -1 } });
        await changed.InsertOneAsync(new BsonDocument { { "_id", "after-stop" }, { "n", -1 } });
        await Task.Delay(2 * LeaseDuration + TimeSpan.FromSeconds(2));
        foreach (var ns in namespaces.Keys)
            Assert.Equal(0, await h.TargetCollection(ns).CountDocumentsAsync(new BsonDocument("_id", "after-stop")));
        var after = await checkpoints.LoadStreamsAsync(1, default);
        foreach (var s in after)
        {
            output.WriteLine($"stream {s.Unit}: lost {s.Lost ?? "-"}, stopped {s.Stopped ?? "-"}, lease {s.Lease?.Owner ?? "none"}, {s.EventsApplied} events");
            Assert.Equal(stopped[s.Unit].EventsApplied, s.EventsApplied);
            Assert.Null(s.Lease?.Owner);
            Assert.Contains("on-trimmed-data = stop", s.Stopped);
        }
        Assert.NotNull(Assert.Single(after, s => s.Unit == lost.Unit).Lost);
        // The reason is in /progress too: the lost stream and the one stopped with it.
        var progress = await coordinator.Progress.BuildAsync(default);
        Assert.Equal(new[] { "Lost", "Stopped" }, progress.ChangeStreams!.OrderBy(c => c.Unit == lost.Unit ? 0 : 1).Select(c => c.Status));

        // The member left takes the coordinator over once the first one is gone (as the process of a run that ended
        // exits), and stops the run as well: nothing is copied again.
        var last = _nodes.Single(n => n != coordinator && n != down);
        await coordinator.DisposeAsync();
        var endedToo = await last.Completion.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.False(endedToo.Success);
        Assert.Contains("on-trimmed-data = stop", endedToo.Message);
        Assert.Equal((1, MongoSyncPhase.Incremental), (await checkpoints.LoadStateAsync(default)) is { } state ? (state.Generation, state.Phase) : default);
        Assert.Empty(await checkpoints.LoadCollectionsAsync(2, default));
        foreach (var ns in namespaces.Keys)
            Assert.Equal(0, await h.TargetCollection(ns).CountDocumentsAsync(new BsonDocument("_id", "after-stop")));
    }
}
