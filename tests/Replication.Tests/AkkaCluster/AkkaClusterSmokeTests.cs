using Akka.Actor;
using Akka.Cluster;
using ClusterExtension = Akka.Cluster.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.TestKit.Xunit2;
using Replication.AkkaCluster;
using Replication.AkkaCluster.Lease;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Xunit.Abstractions;

namespace Replication.Tests.AkkaCluster;

/// <summary>
/// Akka.Cluster, the Split Brain Resolver, the Cluster Singleton and Cluster Sharding (ddata, durable keys off) started
/// for real on three nodes — this TestKit's system (node 0) and seed nodes 1 and 2 — with the MongoDB lease as use-lease.
/// </summary>
public sealed class AkkaClusterSmokeTests : TestKit
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(40);
    private readonly AkkaTestNodes _nodes;

    public AkkaClusterSmokeTests(ITestOutputHelper output) : this(new AkkaTestNodes(3), output)
    {
    }

    private AkkaClusterSmokeTests(AkkaTestNodes nodes, ITestOutputHelper output)
        : base(nodes.ConfigFor(0), AkkaClusterSettings.ActorSystemName, output) => _nodes = nodes;

    protected override void Dispose(bool disposing)
    {
        // Other nodes first, then this TestKit's system, then MongoDB: every node can still hand its leases back.
        if (disposing) _nodes.StopNodesAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
        if (disposing) _nodes.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static Address AddressOf(ActorSystem system) => ClusterExtension.Get(system).SelfAddress;

    private void AwaitUpMembers(ActorSystem observer, int count) =>
        AwaitAssert(() => Assert.Equal(count, ClusterExtension.Get(observer).State.Members.Count(m => m.Status == MemberStatus.Up)), WaitLimit, TimeSpan.FromMilliseconds(100));

    private void AwaitRemoved(ActorSystem observer, Address gone) =>
        AwaitAssert(() => Assert.DoesNotContain(ClusterExtension.Get(observer).State.Members, m => m.Address == gone), WaitLimit, TimeSpan.FromMilliseconds(100));

    private async Task<List<BsonDocument>> HeldLeasesAsync()
    {
        using var client = MongoClientFactory.Create(_nodes.Mongo.ConnectionString);
        var leases = client.GetDatabase("akka_smoke_checkpoint").GetCollection<BsonDocument>(MongoLeaseStore.DefaultCollection);
        return (await leases.Find(new BsonDocument()).ToListAsync()).Where(d => d["owner"] is BsonString).ToList();
    }

    [Fact]
    public async Task Three_nodes_form_a_cluster_from_the_seed_nodes_and_keep_majority_downs_a_crashed_one_while_a_leaving_one_leaves()
    {
        var seed1 = _nodes.Start(1);
        // The crashed node must not leave on its way down: terminating its system only cuts it off, as a crash would.
        var crashing = _nodes.Start(2, "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        AwaitUpMembers(Sys, 3);
        AwaitUpMembers(seed1, 3);
        AwaitUpMembers(crashing, 3);
        ClusterExtension.Get(Sys).Subscribe(TestActor, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        var crashedAddress = AddressOf(crashing);

        await crashing.Terminate().WaitAsync(WaitLimit);

        // Unreachable, then downed by the Split Brain Resolver on the majority side (2 of 3), then removed.
        var removed = FishForMessage<ClusterEvent.MemberRemoved>(m => m.Member.Address == crashedAddress, WaitLimit);
        Assert.Equal(MemberStatus.Down, removed.PreviousStatus);
        AwaitUpMembers(Sys, 2);

        var leavingAddress = AddressOf(seed1);
        ClusterExtension.Get(seed1).Leave(leavingAddress);

        var left = FishForMessage<ClusterEvent.MemberRemoved>(m => m.Member.Address == leavingAddress, WaitLimit);
        Assert.Equal(MemberStatus.Exiting, left.PreviousStatus);
        AwaitUpMembers(Sys, 1);
        await seed1.WhenTerminated.WaitAsync(WaitLimit); // a node that left terminates its actor system
    }

    private sealed record SingletonStarted(Address Node);

    private sealed record SingletonStopped(Address Node);

    /// <summary>Counts the instances alive at once, across all nodes of the test.</summary>
    private sealed class Instances
    {
        private int _live;
        private int _most;

        public int Most => Volatile.Read(ref _most);

        public void Started()
        {
            var live = Interlocked.Increment(ref _live);
            int most;
            while (live > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, live, most) != most)
            {
            }
        }

        public void Stopped() => Interlocked.Decrement(ref _live);
    }

    private sealed class CoordinatorStandIn : ReceiveActor
    {
        private readonly IActorRef _reporter;
        private readonly Instances _instances;
        private readonly Address _self;

        public CoordinatorStandIn(IActorRef reporter, Instances instances)
        {
            _reporter = reporter;
            _instances = instances;
            _self = ClusterExtension.Get(Context.System).SelfAddress;
            Receive<string>(_ => Sender.Tell(_self.ToString()));
        }

        protected override void PreStart()
        {
            _instances.Started();
            _reporter.Tell(new SingletonStarted(_self));
        }

        protected override void PostStop()
        {
            _instances.Stopped();
            _reporter.Tell(new SingletonStopped(_self));
        }
    }

    [Fact]
    public async Task The_singleton_runs_once_under_its_lease_and_moves_when_its_node_leaves()
    {
        var instances = new Instances();
        var workers = new[] { _nodes.Start(1, "replication.cluster.roles = [worker]"), _nodes.Start(2, "replication.cluster.roles = [worker]") };
        AwaitUpMembers(Sys, 3);
        foreach (var worker in workers)
        {
            worker.ActorOf(ClusterSingletonManager.Props(
                Props.Create(() => new CoordinatorStandIn(TestActor, instances)), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(worker).WithRole("worker")), "coordinator");
        }

        var proxy = Sys.ActorOf(ClusterSingletonProxy.Props("/user/coordinator", ClusterSingletonProxySettings.Create(Sys).WithRole("worker")));

        var first = ExpectMsg<SingletonStarted>(WaitLimit).Node;
        Assert.Equal(first.ToString(), await proxy.Ask<string>("where", WaitLimit));
        var holder = Assert.Single(await HeldLeasesAsync());
        Assert.Contains($":{first.Port}", ((BsonString)holder["owner"]!).Value);

        var firstNode = workers.Single(w => AddressOf(w) == first);
        ClusterExtension.Get(firstNode).Leave(first);

        Assert.Equal(first, ExpectMsg<SingletonStopped>(WaitLimit).Node);
        var second = ExpectMsg<SingletonStarted>(WaitLimit).Node;
        Assert.NotEqual(first, second);
        await AwaitAssertAsync(async () => Assert.Equal(second.ToString(), await proxy.Ask<string>("where", TimeSpan.FromSeconds(5))), WaitLimit);
        await AwaitAssertAsync(async () =>
        {
            var lease = Assert.Single(await HeldLeasesAsync());
            Assert.Contains($":{second.Port}", ((BsonString)lease["owner"]!).Value);
        }, WaitLimit);
        Assert.Equal(1, instances.Most);
    }

    private sealed class SegmentStandIn : ReceiveActor
    {
        public SegmentStandIn()
        {
            var self = ClusterExtension.Get(Context.System).SelfAddress;
            Receive<string>(_ => Sender.Tell(self.ToString()));
        }
    }

    private static Task<IActorRef> StartSharding(ActorSystem system) =>
        ClusterSharding.Get(system).StartAsync(
            "segment",
            Props.Create(() => new SegmentStandIn()),
            ClusterShardingSettings.Create(system),
            // The message is the entity id itself: a string crosses the wire with Akka's built-in serializer.
            HashCodeMessageExtractor.Create(12, m => (m as string)!, m => m));

    private static async Task<Dictionary<string, string>> WhereAsync(IActorRef region, IEnumerable<string> entities) =>
        (await Task.WhenAll(entities.Select(async id => (id, node: await region.Ask<string>(id, TimeSpan.FromSeconds(5))))))
        .ToDictionary(r => r.id, r => r.node);

    [Fact]
    public async Task Sharded_entities_spread_over_the_nodes_under_leases_and_move_when_a_node_leaves()
    {
        var others = new[] { _nodes.Start(1), _nodes.Start(2) };
        AwaitUpMembers(Sys, 3);
        var region = await StartSharding(Sys);
        foreach (var other in others) await StartSharding(other);
        await AwaitAssertAsync(async () =>
            Assert.Equal(3, (await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(5))).Regions.Count), WaitLimit);
        var entities = Enumerable.Range(0, 24).Select(i => $"Orders/segment-{i}").ToList();

        var before = await WhereAsync(region, entities);

        Assert.True(before.Values.Distinct().Count() >= 2, "entities start on more than one node: " + string.Join(", ", before.Values.Distinct()));
        var leaving = others.First(o => before.ContainsValue(AddressOf(o).ToString()));
        var leavingAddress = AddressOf(leaving);
        var moved = before.Where(e => e.Value == leavingAddress.ToString()).Select(e => e.Key).ToList();
        Assert.NotEmpty(await HeldLeasesAsync());

        ClusterExtension.Get(leaving).Leave(leavingAddress);
        AwaitRemoved(Sys, leavingAddress);

        await AwaitAssertAsync(async () =>
        {
            var after = await WhereAsync(region, entities);
            Assert.DoesNotContain(leavingAddress.ToString(), after.Values);
            foreach (var id in entities.Except(moved)) Assert.Equal(before[id], after[id]);
        }, WaitLimit, TimeSpan.FromMilliseconds(200));
        await AwaitAssertAsync(async () =>
            Assert.DoesNotContain(await HeldLeasesAsync(), d => ((BsonString)d["owner"]!).Value.Contains($":{leavingAddress.Port}")), WaitLimit);
    }
}
