using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Coordination;
using Akka.DistributedData;
using Replication.AkkaCluster.Lease;
using Replication.Hocon;
using AkkaHocon = Akka.Configuration.Hocon;

namespace Replication.AkkaCluster;

/// <summary>
/// Every key Akka.NET's modules define (their reference configurations, merged), as a tree our unknown-key check reads.
/// Sections where users add names of their own (deployments, serializers, per-role settings) are free-form.
/// </summary>
internal static class AkkaReferenceKeys
{
    private static readonly string[] FreeForm =
    [
        "akka.actor.deployment",
        "akka.actor.serializers",
        "akka.actor.serialization-bindings",
        "akka.actor.serialization-identifiers",
        "akka.actor.serialization-settings",
        "akka.cluster.role",
    ];

    private static readonly Lazy<HoconConfig> Lazy = new(Build);

    public static HoconConfig Reference => Lazy.Value;

    private static HoconConfig Build()
    {
        var merged = new[]
        {
            // Akka.Remote and Akka.Cluster keep their defaults factories internal; their embedded files are the same text.
            Akka.Configuration.ConfigurationFactory.FromResource("Akka.Remote.Configuration.Remote.conf", typeof(Akka.Remote.RemoteSettings).Assembly),
            Akka.Configuration.ConfigurationFactory.FromResource("Akka.Cluster.Configuration.Cluster.conf", typeof(Akka.Cluster.Cluster).Assembly),
            ClusterSharding.DefaultConfig(),
            ClusterSingleton.DefaultConfig(),
            DistributedPubSub.DefaultConfig(),
            DistributedData.DefaultConfig(),
            LeaseProvider.DefaultConfig(),
            Akka.Configuration.ConfigurationFactory.ParseString(
                $"{MongoLease.ConfigPath} {{ lease-class = \"\", heartbeat-timeout = 0, heartbeat-interval = 0, lease-operation-timeout = 0, uri = \"\", database = \"\", collection = \"\" }}"),
        }.Aggregate(Akka.Configuration.ConfigurationFactory.Default(), (all, next) => all.WithFallback(next));
        var origin = HoconOrigin.Of("Akka.NET reference configuration");
        return new HoconConfig(Convert(merged.Root.GetObject(), HoconPath.Empty, origin));
    }

    private static HoconObject Convert(AkkaHocon.HoconObject source, HoconPath path, HoconOrigin origin)
    {
        if (FreeForm.Contains(path.ToString())) return HoconObject.Empty(origin);
        var fields = new List<KeyValuePair<string, HoconValue>>();
        foreach (var (key, value) in source.Items)
        {
            HoconValue converted = value.IsObject()
                ? Convert(value.GetObject(), path.Append(key), origin)
                : new HoconString("", origin);
            fields.Add(new KeyValuePair<string, HoconValue>(key, converted));
        }

        return new HoconObject(fields, origin);
    }
}
