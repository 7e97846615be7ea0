using Akka.Coordination;
using Akka.Event;
using Replication.AkkaCluster.Lease;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Testing.InMemoryMongo.Wire;
using AkkaConfig = Akka.Configuration.Config;

namespace Replication.Tests.AkkaCluster;

/// <summary>The MongoDB lease against the in-memory MongoDB server, with short timeouts; conditions are awaited, never slept for.</summary>
public sealed class MongoLeaseTests : IAsyncLifetime
{
    private const string LeaseName = "replication-shard-segment-7";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private InMemoryMongoServer _server = null!;
    private IMongoClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new InMemoryMongoServer();
        _client = Client(_server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync(); // stops every heartbeat before the server goes away
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static IMongoClient Client(InMemoryMongoServer server) =>
        MongoClientFactory.Create(server.ConnectionString + "&serverSelectionTimeoutMS=2000&connectTimeoutMS=2000&socketTimeoutMS=5000");

    private IMongoCollection<BsonDocument> Leases => _client.GetDatabase("repl_checkpoint").GetCollection<BsonDocument>(MongoLeaseStore.DefaultCollection);

    private MongoLeaseStore Store => new(Leases);

    private MongoLease Lease(string owner, TimeSpan? timeout = null, TimeSpan? interval = null, MongoLeaseStore? store = null, TimeProvider? clock = null) =>
        new(new LeaseSettings(LeaseName, owner, new TimeoutSettings(interval ?? TimeSpan.FromMilliseconds(200), timeout ?? TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), AkkaConfig.Empty),
            store ?? Store, NoLogger.Instance, _stopping.Token, clock);

    private async Task<BsonDocument> StoredAsync() => (await Leases.Find(new BsonDocument { { "_id", LeaseName } }).ToListAsync()).Single();

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!await condition())
        {
            if (limit.IsCancellationRequested) throw new TimeoutException($"not within {WaitLimit}: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_free_lease_is_acquired_with_counter_one_and_another_owner_is_refused()
    {
        var a = Lease("a");
        var b = Lease("b");

        Assert.True(await a.Acquire());
        Assert.False(await b.Acquire());

        Assert.True(a.CheckLease());
        Assert.Equal(1, a.Counter);
        Assert.True(await a.Acquire()); // reentrant
        Assert.Equal(1, a.Counter);
        Assert.False(b.CheckLease());
        Assert.Null(b.Counter);
        var stored = await StoredAsync();
        Assert.Equal("a", ((BsonString)stored["owner"]!).Value);
        Assert.Equal(new BsonInt64(1), stored["counter"]);
        Assert.IsType<BsonDateTime>(stored["renewedAt"]);
    }

    [Fact]
    public async Task Renewals_keep_the_lease_past_its_timeout_even_for_a_contender_whose_clock_runs_an_hour_ahead()
    {
        // 5 s: a renewal every 200 ms must not miss a whole timeout even on a loaded 2-core machine running the suite.
        var a = Lease("a", timeout: TimeSpan.FromSeconds(5));
        var aheadByAnHour = new ManualClock(DateTimeOffset.UtcNow.AddHours(1));
        var b = Lease("b", timeout: TimeSpan.FromSeconds(5), clock: aheadByAnHour);
        Assert.True(await a.Acquire());
        var firstRenewal = ((BsonDateTime)(await StoredAsync())["renewedAt"]!).ToUniversalTime();

        await Eventually(async () =>
        {
            Assert.False(await b.Acquire());
            return ((BsonDateTime)(await StoredAsync())["renewedAt"]!).ToUniversalTime() - firstRenewal > TimeSpan.FromSeconds(11);
        }, "a renews its lease for over twice its timeout");

        Assert.True(a.CheckLease());
        Assert.Equal(1, a.Counter);
        Assert.False(await b.Acquire());
    }

    [Fact]
    public async Task A_lease_whose_holder_died_is_taken_once_the_database_clock_says_it_expired()
    {
        // A node took the lease and died: nothing renews it any more.
        var observed = await Store.ObserveAsync(LeaseName, default);
        Assert.Equal(1, await Store.TryTakeAsync(observed, "dead-node", TimeSpan.FromSeconds(1), default));
        var died = ((BsonDateTime)(await StoredAsync())["renewedAt"]!).ToUniversalTime();
        var b = Lease("b", timeout: TimeSpan.FromSeconds(1));

        Assert.False(await b.Acquire());
        await Eventually(b.Acquire, "b takes the expired lease");

        Assert.Equal(2, b.Counter);
        var stored = await StoredAsync();
        Assert.Equal("b", ((BsonString)stored["owner"]!).Value);
        Assert.True(((BsonDateTime)stored["renewedAt"]!).ToUniversalTime() - died >= TimeSpan.FromSeconds(1), "taken only after the timeout on the database's clock");
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_over_is_told_and_stops_claiming_it()
    {
        var a = Lease("a");
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(e => lost.TrySetResult(e)));

        // Another node took it, e.g. while this one was paused: the owner and counter moved on.
        await Leases.FindOneAndUpdateAsync<BsonDocument>(new BsonDocument { { "_id", LeaseName } },
            new BsonDocument { { "$set", new BsonDocument { { "owner", "b" }, { "counter", 2L } } } });

        var reason = await lost.Task.WaitAsync(WaitLimit);
        Assert.IsType<LeaseException>(reason);
        Assert.Contains("taken by another owner", reason.Message);
        Assert.False(a.CheckLease());
        Assert.Null(a.Counter);
        Assert.False(await a.Release());
        Assert.Equal("b", ((BsonString)(await StoredAsync())["owner"]!).Value);
    }

    [Fact]
    public async Task A_holder_cut_off_from_the_database_gives_the_lease_up_when_it_could_expire()
    {
        var server = new InMemoryMongoServer();
        using var client = Client(server);
        var store = new MongoLeaseStore(client.GetDatabase("repl_checkpoint").GetCollection<BsonDocument>(MongoLeaseStore.DefaultCollection));
        var a = Lease("a", timeout: TimeSpan.FromSeconds(1.5), interval: TimeSpan.FromMilliseconds(300), store: store);
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(e => lost.TrySetResult(e)));

        await server.DisposeAsync();

        var reason = await lost.Task.WaitAsync(WaitLimit);
        Assert.Contains("expired", reason.Message);
        Assert.False(a.CheckLease());
        Assert.Null(a.Counter);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once_and_its_counter_only_ever_rises()
    {
        var a = Lease("a", timeout: TimeSpan.FromSeconds(30));
        var b = Lease("b", timeout: TimeSpan.FromSeconds(30));
        var aLost = false;
        Assert.True(await a.Acquire(_ => aLost = true));

        Assert.True(await a.Release());
        Assert.False(a.CheckLease());
        Assert.False(await a.Release());
        var stored = await StoredAsync();
        Assert.IsType<BsonNull>(stored["owner"]);
        Assert.Equal(new BsonInt64(2), stored["counter"]);

        Assert.True(await b.Acquire());
        Assert.Equal(3, b.Counter);
        Assert.True(await b.Release());
        Assert.True(await a.Acquire());
        Assert.Equal(5, a.Counter);
        Assert.False(aLost);
    }

    [Fact]
    public async Task Owners_racing_for_one_lease_elect_exactly_one()
    {
        var contenders = Enumerable.Range(0, 6).Select(i => Lease("node-" + i)).ToList();

        var acquired = await Task.WhenAll(contenders.Select(c => c.Acquire()));

        var winner = Assert.Single(contenders, c => c.CheckLease());
        Assert.Single(acquired, a => a);
        Assert.Equal(1, winner.Counter);
        Assert.Equal(winner.Settings.OwnerName, ((BsonString)(await StoredAsync())["owner"]!).Value);
    }

    [Fact]
    public async Task A_restarted_node_with_the_same_owner_name_takes_its_lease_back_with_a_new_counter()
    {
        var before = Lease("10.0.0.5:2552", timeout: TimeSpan.FromSeconds(30));
        var beforeLost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await before.Acquire(e => beforeLost.TrySetResult(e)));
        var after = Lease("10.0.0.5:2552", timeout: TimeSpan.FromSeconds(30));

        Assert.True(await after.Acquire());

        Assert.Equal(2, after.Counter);
        await beforeLost.Task.WaitAsync(WaitLimit); // the old incarnation's counter is fenced off
        Assert.Null(before.Counter);
    }
}
