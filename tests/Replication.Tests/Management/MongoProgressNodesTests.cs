using MongoDB.Bson;
using Replication.Cluster;
using Replication.Coordinator.Management.Progress;
using Replication.ShardActors.MongoSource;
using Replication.Tests.Mongo;

namespace Replication.Tests.Management;

/// <summary>
/// /progress for a MongoDB source in a cluster, built from real checkpoints in the in-memory server: each member holding
/// leases is listed with its ranges and streams and the items per second its units made between two requests.
/// </summary>
public class MongoProgressNodesTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private MongoSyncCheckpoints Checkpoints => new(Client.GetDatabase("repl_checkpoint"));

    private MongoProgressReportBuilder Builder() =>
        new(Checkpoints, Client.GetDatabase("repl_checkpoint").GetCollection<BsonDocument>("deadLetters"), _clock);

    [Fact]
    public async Task Each_member_holding_leases_is_listed_with_its_units_and_their_rate_between_two_requests()
    {
        var checkpoints = Checkpoints;
        var builder = Builder();
        await checkpoints.SaveStateAsync(new MongoSyncState(1, MongoSyncPhase.Incremental, _clock.GetUtcNow().UtcDateTime, _clock.GetUtcNow().UtcDateTime), default);
        foreach (var unit in new[] { "crm", "shop" }) await checkpoints.SaveStartAsync(unit, 1, new BsonDocument("_data", "8200000001"), default);
        Assert.Null((await builder.BuildAsync(default)).Nodes); // no stream leased yet: as on a single node

        await checkpoints.MakeStreamsLeasableAsync(1, default);
        var leases = new LeaseTable(Client.GetDatabase("repl_checkpoint"), _clock);
        var units = (await leases.ListMongoUnitsAsync()).ToDictionary(u => u.Key.Id);
        var a = await leases.TryAcquireAsync(units["stream/shop"], "node-a", Duration, steal: false);
        var b = await leases.TryAcquireAsync(units["stream/crm"], "node-b", Duration, steal: false);
        Assert.NotNull(a);
        Assert.NotNull(b);

        var first = await builder.BuildAsync(default);
        Assert.Equal([new NodeProgressReport("node-a", null) { Ranges = 0, ChangeStreams = 1 }, new NodeProgressReport("node-b", null) { Ranges = 0, ChangeStreams = 1 }], first.Nodes);
        Assert.Equal([("crm", "node-b"), ("shop", "node-a")], first.ChangeStreams!.Select(s => (s.Unit, s.Owner)));

        await checkpoints.SaveStreamPositionAsync("shop", 1, new BsonDocument("_data", "8200000050"), 50, null, null, a, default);
        await checkpoints.SaveStreamPositionAsync("crm", 1, new BsonDocument("_data", "8200000020"), 20, null, null, b, default);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var second = await builder.BuildAsync(default);
        Assert.Equal([new NodeProgressReport("node-a", 5.0) { Ranges = 0, ChangeStreams = 1 }, new NodeProgressReport("node-b", 2.0) { Ranges = 0, ChangeStreams = 1 }], second.Nodes);
    }
}
