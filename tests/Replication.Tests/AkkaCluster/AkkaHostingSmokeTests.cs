using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Replication.AkkaCluster;

namespace Replication.Tests.AkkaCluster;

/// <summary>Akka.Hosting for real: a generic host starts the actor system from the configuration we hand it, and stops it.</summary>
public sealed class AkkaHostingSmokeTests
{
    private sealed class Greeter : ReceiveActor
    {
        public Greeter() => Receive<string>(name => Sender.Tell($"hello {name}"));
    }

    [Fact]
    public async Task A_generic_host_runs_the_actor_system_from_our_configuration_and_stops_it_with_the_host()
    {
        await using var nodes = new AkkaTestNodes(1, freePorts: false);
        var config = nodes.ConfigFor(0);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka(AkkaClusterSettings.ActorSystemName, akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<Greeter>(system.ActorOf(Props.Create(() => new Greeter()), "greeter"))));
        using var host = builder.Build();

        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var greeter = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<Greeter>();

        Assert.Equal("hello node", await greeter.Ask<string>("node", TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(2), system.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.NotEqual(0, ((ExtendedActorSystem)system).Provider.DefaultAddress.Port);

        await host.StopAsync();
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
