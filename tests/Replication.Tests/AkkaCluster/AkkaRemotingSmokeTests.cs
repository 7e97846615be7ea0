using Akka.Actor;
using Akka.TestKit.Xunit2;
using Replication.AkkaCluster;
using Xunit.Abstractions;

namespace Replication.Tests.AkkaCluster;

/// <summary>Akka.Remote for real: two actor systems on 127.0.0.1, port 0, exchange messages over TCP.</summary>
public sealed class AkkaRemotingSmokeTests : TestKit
{
    private readonly AkkaTestNodes _nodes;

    public AkkaRemotingSmokeTests(ITestOutputHelper output) : this(new AkkaTestNodes(2, freePorts: false), output)
    {
    }

    private AkkaRemotingSmokeTests(AkkaTestNodes nodes, ITestOutputHelper output)
        : base(nodes.ConfigFor(0), AkkaClusterSettings.ActorSystemName, output) => _nodes = nodes;

    protected override void Dispose(bool disposing)
    {
        // Other nodes first, then this TestKit's system, then MongoDB: every node can still hand its leases back.
        if (disposing) _nodes.StopNodesAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
        if (disposing) _nodes.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(text => Sender.Tell($"{text} from {((ExtendedActorSystem)Context.System).Provider.DefaultAddress}"));
    }

    [Fact]
    public async Task Two_actor_systems_on_any_free_port_exchange_messages_over_tcp()
    {
        var remote = _nodes.Start(1);
        remote.ActorOf(Props.Create(() => new Echo()), "echo");
        var remoteAddress = ((ExtendedActorSystem)remote).Provider.DefaultAddress;
        var localAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        Assert.Equal("akka.tcp", remoteAddress.Protocol);
        Assert.NotEqual(0, remoteAddress.Port);
        Assert.NotEqual(localAddress.Port, remoteAddress.Port);

        var echo = await Sys.ActorSelection(new RootActorPath(remoteAddress) / "user" / "echo").ResolveOne(TimeSpan.FromSeconds(20));
        echo.Tell("ping", TestActor);

        ExpectMsg($"ping from {remoteAddress}", TimeSpan.FromSeconds(20));
        Assert.Equal(remoteAddress, LastSender.Path.Address); // the answer came back over the wire
    }
}
