using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Replication.AkkaCluster;
using Replication.Hocon;
using ClusterExtension = Akka.Cluster.Cluster;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// The node's Akka.NET ActorSystem, an Akka.Cluster member started from the configuration <see cref="AkkaConfigFactory"/>
/// builds out of the user's resolved file. With <c>cluster.enabled = on</c> it joins the configured seed nodes (none: it
/// forms a cluster of its own); with it off it is a one-node cluster on a free port that joins itself, so the same
/// singleton, lease and membership code runs everywhere. Akka logs through the node's own <see cref="ILoggerFactory"/>
/// (the same console and filters as every other line), at WARNING unless the file's <c>akka { loglevel }</c> says
/// otherwise, and never to stdout itself.
/// </summary>
public static class NodeActorSystem
{
    private static readonly Config Fixed = ConfigurationFactory.ParseString($$"""
        akka.loggers = ["{{typeof(LoggerFactoryLogger).AssemblyQualifiedName}}"]
        akka.stdout-loglevel = OFF
        akka.log-dead-letters-during-shutdown = off
        # The node leaves the cluster itself, after draining in-flight batches and handing its leases back
        # (ReplicationNode.StopAsync runs CoordinatedShutdown); terminating the system without that is a crash.
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """);

    /// <summary>Without cluster.enabled no other node may join this one, and two such nodes on one host must not clash on a port.</summary>
    private static readonly Config Standalone = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.seed-nodes = []
        """);

    private static readonly Config Defaults = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-config-on-start = off
        """);

    public static ActorSystem Create(HoconConfig configuration, ILoggerFactory loggers, bool clusterEnabled)
    {
        var config = Fixed.WithFallback(AkkaConfigFactory.Create(configuration)).WithFallback(Defaults);
        if (!clusterEnabled) config = Standalone.WithFallback(config);
        var setup = BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(loggers));
        var system = ActorSystem.Create(AkkaClusterSettings.ActorSystemName, setup);
        // Before joining: loading sharding registers its serializer, so the other members' sharding messages can be read
        // from the first one on (the shard region itself starts later).
        ClusterSharding.Get(system);
        var cluster = ClusterExtension.Get(system);
        // Seed nodes are joined by Akka itself; without any, this node is the first (and maybe only) member.
        if (cluster.Settings.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
        return system;
    }

    /// <summary>The coordinator singleton's manager: one name per replication id, so its lease is one per replication id.</summary>
    public static string CoordinatorName(string replicationId) => "coordinator-" + Uri.EscapeDataString(replicationId);

    /// <summary>The lease name Akka's ClusterSingletonManager takes for the manager <paramref name="managerName"/>: the system's name and the manager's path.</summary>
    public static string SingletonLeaseName(ActorSystem system, string managerName) =>
        $"{system.Name}-singleton-{((ExtendedActorSystem)system).Guardian.Path / managerName}";
}
