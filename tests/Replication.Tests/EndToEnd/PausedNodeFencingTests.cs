using System.Diagnostics;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Replication.Testing.InMemoryMongo.Wire;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>The paused-node test gets a DynamoDB Local of its own, so it runs beside the other end-to-end tests.</summary>
[CollectionDefinition(Name)]
public sealed class PausedNodeCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "Replication paused node";
}

/// <summary>
/// Two real `replication` processes, members of one Akka cluster, with a 3 s lease. The node holding the stream shard is frozen
/// (SIGSTOP) — a long GC pause, a frozen VM — for 20 s, then woken (SIGCONT). Split Brain Resolver's stable-after is longer
/// than the pause: the frozen node is unreachable but not downed, so Cluster Sharding keeps the shard's entity where it is
/// and no other node may run it meanwhile. When the node wakes, only its lease fence keeps its overdue work from writing:
/// it must send no write to the target and move no checkpoint before it has handed the lease back and taken it again
/// under a new counter. The in-memory MongoDB server records every write with the appName of the client that sent it
/// (each node's clients give their node id, its Akka address), so the test can tell who wrote what. (The three-node test
/// covers the frozen node that is downed while frozen and whose work another node took over.)
/// </summary>
[Collection(PausedNodeCollection.Name)]
public sealed class PausedNodeFencingTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan FrozenFor = TimeSpan.FromSeconds(20);
    private ReplicationHarness _h = null!;
    private ReplicationProcesses _nodes = null!;

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        _nodes = new ReplicationProcesses(output, _h.Prefix, ports: 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task A_node_woken_past_its_lease_writes_no_document_and_moves_no_checkpoint_before_it_takes_the_lease_again()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-paused", "pk");
        await new DynamoItemGenerator("pk", seed: 30).PutItemsAsync(_h.Dynamo, table, 30);
        var settings = _h.Settings();
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase), settings.DeadLetterCollection);
        await using var monitor = new CheckpointMonitor(store, table);
        var (first, second) = (Start(0), Start(1));
        // Both members Up before anything is paused: a node that has not joined yet takes no lease, and would prove nothing.
        await WaitForAsync(async () => await UpMembersAsync(first) == 2 ? (object)true : null, "the two nodes did not form one cluster");
        await WaitForAsync(async () => await store.GetTableAsync(table) is { FullSync.Status: FullSyncStatus.Done } t ? t : null, "the full sync did not finish");

        // Under a steady write load, find the node that applies the stream.
        await using var load = new SteadyWriteLoad(_h.Dynamo, table);
        var working = await WaitForAsync(async () => (await store.ListShardsAsync(table))
            .FirstOrDefault(s => s.Status == ShardStatus.Processing && s.Lease?.Owner is not null && s.RecordsApplied >= 5), "no node applied the stream");
        var paused = working.Lease!.Owner!;
        var other = paused == first ? second : first;

        _nodes[paused].Pause();
        var frozen = Stopwatch.StartNew();
        // Frozen for 20 s, as long as a bad GC pause or VM freeze: well past the lease. It stays a member (unreachable, not
        // downed), so sharding keeps the shard on it, and nobody else may take the lease.
        var lastSeen = working;
        while (frozen.Elapsed < FrozenFor)
        {
            lastSeen = (await store.GetShardAsync(table, working.ShardId))!;
            Assert.True(lastSeen.Lease?.Owner == paused && lastSeen.Lease.Counter == working.Lease.Counter,
                $"shard {working.ShardId} changed hands while its holder {paused} was unreachable but not downed: {lastSeen.Lease?.Owner} (counter {lastSeen.Lease?.Counter})");
            await Task.Delay(250);
        }
        Assert.False(_nodes[other].HasExited, $"{other} exited while {paused} was frozen");

        // The woken node's first renewal and its taking the lease again are held at the server (a slow checkpoint
        // database): nothing but its fence then stands between its shard worker, whose timers are all overdue, and the target.
        var renewal = _h.Mongo.Holds.Hold((database, command) => database == settings.CheckpointDatabase && IsLeaseRenewal(command), appName: paused);
        var retake = _h.Mongo.Holds.Hold((database, command) => database == settings.CheckpointDatabase && IsLeaseTake(command), appName: paused);
        var atWake = _h.Mongo.Writes.Count;
        output.WriteLine($"{paused} paused for {frozen.Elapsed.TotalSeconds:0.0} s; waking it");
        _nodes[paused].Resume();
        await WaitForAsync(() => Task.FromResult(
            Violations(atWake, paused, settings.Target.Database, settings.DeadLetterCollection).Count > 0
            || _nodes.Said(paused, "was not renewed in time", "no longer covers writes", "was taken by another node") ? (object)true : null),
            $"the woken {paused} neither noticed it lost its lease nor wrote");
        // It tries to take the lease again only after it stopped the old work and handed the lease back.
        await WaitForAsync(() => Task.FromResult(retake.Reached.IsCompleted ? (object)true : null), $"the woken {paused} never took its shard's lease again");
        var violations = Violations(atWake, paused, settings.Target.Database, settings.DeadLetterCollection);
        var beforeRetake = (await store.GetShardAsync(table, working.ShardId))!;
        renewal.Drop();
        retake.Drop();
        Assert.True(violations.Count == 0, $"the woken {paused} wrote with its expired lease: " +
            string.Join("; ", violations.Select(w => $"#{w.Sequence} {w.Command} {w.Database}.{w.Collection} (changed {w.Changed})")));
        Assert.Equal(lastSeen.SequenceNumber, beforeRetake.SequenceNumber);
        Assert.True(_h.Mongo.Writes.Snapshot().Skip(atWake).Any(w => w.AppName == paused), $"the woken {paused} sent nothing at all: the test proved nothing");

        // Once the lease is taken again (by either node), the stream goes on.
        await WaitForAsync(async () => await store.GetShardAsync(table, working.ShardId) is { Lease: { Owner: not null } lease, SequenceNumber: { } p }
            && lease.Counter > working.Lease.Counter && p > lastSeen.SequenceNumber! ? (object)true : null, "the shard was not applied again after the woken node let it go");
        await load.StopAsync();
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table, Patience);
        Assert.False(_nodes[paused].HasExited, $"{paused} exited after it woke");
        await monitor.AssertNoneWentBackwardsAsync();
    }

    /// <summary>The paused node's writes since <paramref name="mark"/> to the target or the dead letters: the fence must stop them before they are sent.</summary>
    private List<RecordedWrite> Violations(int mark, string node, string targetDatabase, string deadLetters) =>
        _h.Mongo.Writes.Snapshot().Skip(mark).Where(w => w.AppName == node
            && (w.Database == targetDatabase || w.Collection == deadLetters)).ToList();

    /// <summary>A take of a shard lease: it sets a new counter.</summary>
    private static bool IsLeaseTake(BsonDocument command) =>
        command.GetElement(0) is { Name: "update", Value: BsonString { Value: "shards" } }
        && command.GetValue("updates", null) is BsonArray updates
        && updates.Any(u => u is BsonDocument statement && statement.GetValue("u", null) is BsonDocument update
            && update.GetValue("$set", null) is BsonDocument set && set.Contains("lease.counter"));

    private static bool IsLeaseRenewal(BsonDocument command) =>
        command.GetElement(0) is { Name: "update", Value: BsonString { Value: "shards" } }
        && command.GetValue("updates", null) is BsonArray updates
        && updates.Any(u => u is BsonDocument statement && statement.GetValue("u", null) is BsonDocument update
            && update.GetValue("$inc", null) is BsonDocument inc && inc.Contains("lease.renewal"));

    /// <summary>How many members <paramref name="node"/>'s /cluster/members lists as Up (0 before its endpoints answer).</summary>
    private async Task<int> UpMembersAsync(string node)
    {
        var announced = _nodes.FirstLine(node, "management endpoints on ");
        if (announced is null) return 0;
        var address = announced[(announced.IndexOf("management endpoints on ", StringComparison.Ordinal) + "management endpoints on ".Length)..].Trim();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(new Uri(address), "cluster/members")));
            return members.RootElement.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary>Starts node <paramref name="n"/> (the first is the seed); returns its node id, the Akka address its leases and appName carry.</summary>
    private string Start(int n) => _nodes.Start(n, _h.SettingOverrides(
        "replication.cluster.enabled=on",
        "replication.cluster.hostname=\"127.0.0.1\"",
        $"replication.cluster.port={_nodes.Ports[n]}",
        $"replication.cluster.seed-nodes=[\"127.0.0.1:{_nodes.Ports[0]}\"]",
        "replication.cluster.split-brain-resolver.stable-after=60s",
        "replication.cluster.lease-duration=3s",
        "replication.cluster.lease-renew-interval=1s"));

    private Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure) where T : class => _nodes.WaitForAsync(probe, failure, Patience);
}
