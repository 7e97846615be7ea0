using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Replication.AkkaCluster;
using Replication.Hocon;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// The node's Akka.NET ActorSystem, started from the configuration <see cref="AkkaConfigFactory"/> builds out of the
/// user's resolved file. Akka logs through the node's own <see cref="ILoggerFactory"/> (the same console and filters as
/// every other line), at WARNING unless the file's <c>akka { loglevel }</c> says otherwise, and never to stdout itself.
/// </summary>
public static class NodeActorSystem
{
    // The actors of one node only, for now: membership still comes from the checkpoint database (Akka.Cluster is next).
    private static readonly Config Fixed = ConfigurationFactory.ParseString($$"""
        akka.actor.provider = local
        akka.loggers = ["{{typeof(LoggerFactoryLogger).AssemblyQualifiedName}}"]
        akka.stdout-loglevel = OFF
        akka.log-dead-letters-during-shutdown = off
        # The node stops its actors itself, after draining in-flight batches (ReplicationNode.StopAsync).
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    private static readonly Config Defaults = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-config-on-start = off
        """);

    public static ActorSystem Create(HoconConfig configuration, ILoggerFactory loggers)
    {
        var config = Fixed.WithFallback(AkkaConfigFactory.Create(configuration)).WithFallback(Defaults);
        var setup = BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(loggers));
        return ActorSystem.Create(AkkaClusterSettings.ActorSystemName, setup);
    }
}
