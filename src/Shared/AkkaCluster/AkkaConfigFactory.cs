using System.Globalization;
using System.Text;
using Akka.Configuration;
using Replication.AkkaCluster.Lease;
using Replication.Configuration;
using ConfigurationException = Replication.Configuration.ConfigurationException;
using Replication.Hocon;

namespace Replication.AkkaCluster;

/// <summary>
/// Turns our resolved configuration into the <see cref="Config"/> an Akka.NET ActorSystem starts from, so Akka never
/// parses the user's file itself (its parser ignores <c>${?ENV}</c> and reports no file:line). Precedence, highest
/// first: the settings this product cannot run without, the user's own <c>akka { }</c> block, the keys mapped from
/// <c>replication.cluster</c>, then Akka's reference defaults (the ActorSystem adds those itself).
/// </summary>
public static class AkkaConfigFactory
{
    /// <summary>How long singletons and sharded entities of a downed, removed member wait before they start elsewhere.</summary>
    public static readonly TimeSpan DownRemovalMargin = TimeSpan.FromSeconds(1);

    /// <summary>How often a shard that could not take its MongoDB lease yet tries again, and a shard region registers with a new coordinator.</summary>
    public static readonly TimeSpan ShardingRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Sharding's state lives in distributed data, in memory only: the LMDB durable store does not work with
    /// the LightningDB version served here, and every position the work needs is in the checkpoint database anyway.</summary>
    /// <summary>The singleton settings of sharding's coordinator: Akka's singleton defaults without the lease.</summary>
    public const string ShardingCoordinatorSingletonPath = "akka.cluster.sharding.coordinator-singleton-settings";

    private static readonly (string Path, string Value, string Why)[] Required =
    [
        ("akka.cluster.sharding.state-store-mode", "ddata", "the persistence store needs an Akka.Persistence journal this product does not have"),
        ("akka.cluster.sharding.distributed-data.durable.keys", "[]", "the durable LMDB store does not work with the LightningDB version this product ships with"),
    ];

    /// <exception cref="ConfigurationException">a replication.cluster value is invalid, or the akka block overrides a required setting</exception>
    public static Config Create(HoconConfig config)
    {
        var settings = AkkaClusterSettings.From(config);
        CheckRequiredSettingsAreKept(config);
        var required = ConfigurationFactory.ParseString(string.Join('\n', Required.Select(r => $"{r.Path} = {r.Value}")));
        var mapped = ConfigurationFactory.ParseString(Map(settings));
        return config.GetValue("akka") is HoconObject akka
            ? required.WithFallback(ConfigurationFactory.ParseString(Render("akka", akka))).WithFallback(mapped)
            : required.WithFallback(mapped);
    }

    /// <summary>
    /// Keys in the <c>akka { }</c> block that Akka.NET does not know (a typo Akka itself would silently ignore), each with
    /// its file:line and the closest known key, in the same form as the unknown keys under <c>replication</c>.
    /// </summary>
    public static IReadOnlyList<HoconWarning> FindUnknownKeys(HoconConfig config) =>
        config.GetValue("akka") is HoconObject ? HoconConfig.FindUnknownKeys(AkkaReferenceKeys.Reference, config, under: "akka") : [];

    private static string Map(AkkaClusterSettings s)
    {
        var text = new StringBuilder();
        text.AppendLine("akka.actor.provider = cluster");
        text.AppendLine($"akka.remote.dot-netty.tcp.hostname = {Quote(s.Hostname)}");
        text.AppendLine($"akka.remote.dot-netty.tcp.port = {s.Port.ToString(CultureInfo.InvariantCulture)}");
        if (s.PublicHostname.Length > 0) text.AppendLine($"akka.remote.dot-netty.tcp.public-hostname = {Quote(s.PublicHostname)}");
        text.AppendLine($"akka.cluster.seed-nodes = [{string.Join(", ", s.SeedNodes.Select(Quote))}]");
        text.AppendLine($"akka.cluster.roles = [{string.Join(", ", s.Roles.Select(Quote))}]");
        text.AppendLine($"akka.cluster.downing-provider-class = {Quote("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster")}");
        text.AppendLine("akka.cluster.split-brain-resolver.active-strategy = keep-majority");
        text.AppendLine($"akka.cluster.split-brain-resolver.stable-after = {Duration(s.StableAfter)}");
        // Left off, the margin is stable-after: a crashed coordinator's singleton would wait 7 s more after the crashed
        // node is removed. The MongoDB lease, not this margin, keeps two coordinators apart: the new one starts only once
        // the old one's lease has expired on the database's clock.
        text.AppendLine($"akka.cluster.down-removal-margin = {Duration(DownRemovalMargin)}");
        text.AppendLine($"akka.cluster.sharding.use-lease = {Quote(MongoLease.ConfigPath)}");
        // A shard allocated to a new node waits for its previous region's MongoDB lease to run out; retried every 5 s by
        // default, that could add 5 s to a failover.
        text.AppendLine($"akka.cluster.sharding.lease-retry-interval = {Duration(ShardingRetryInterval)}");
        // How often a shard region retries registering with a coordinator that just moved (and resends what it buffered):
        // 2 s by default, on the failover's critical path.
        text.AppendLine($"akka.cluster.sharding.retry-interval = {Duration(ShardingRetryInterval)}");
        text.AppendLine($"akka.cluster.singleton.use-lease = {Quote(MongoLease.ConfigPath)}");
        // Sharding's own coordinator (a singleton that only places shards) runs without the lease: each shard, and each
        // work unit, is fenced by its own. Under the lease a coordinator that lost it (its node paused past it) restarts
        // in place, and the shard regions kept asking the terminated incarnation for shard homes.
        text.AppendLine($"akka.cluster.sharding.coordinator-singleton = {Quote(ShardingCoordinatorSingletonPath)}");
        text.AppendLine($"{ShardingCoordinatorSingletonPath} {{");
        text.AppendLine("  singleton-name = singleton");
        text.AppendLine("  role = \"\"");
        text.AppendLine("  hand-over-retry-interval = 1s");
        text.AppendLine("  min-number-of-hand-over-retries = 15");
        text.AppendLine("  use-lease = \"\"");
        text.AppendLine("  lease-retry-interval = 5s");
        text.AppendLine("  consider-app-version = false");
        text.AppendLine("}");
        text.AppendLine($"{MongoLease.ConfigPath} {{");
        text.AppendLine($"  lease-class = {Quote(typeof(MongoLease).AssemblyQualifiedName!)}");
        text.AppendLine($"  heartbeat-timeout = {Duration(s.LeaseDuration)}");
        text.AppendLine($"  heartbeat-interval = {Duration(s.LeaseRenewInterval)}");
        text.AppendLine($"  uri = {Quote(s.CheckpointUri)}");
        text.AppendLine($"  database = {Quote(s.CheckpointDatabase)}");
        text.AppendLine($"  collection = {Quote(MongoLeaseStore.DefaultCollection)}");
        text.AppendLine("}");
        return text.ToString();
    }

    private static void CheckRequiredSettingsAreKept(HoconConfig config)
    {
        var problems = new List<string>();
        foreach (var (path, value, why) in Required)
        {
            if (config.GetValue(path) is not { } set) continue;
            var kept = value == "[]" ? set is HoconArray { Items.Count: 0 } : set is HoconString s && s.Value == value;
            if (!kept) problems.Add($"{path} at {set.Origin.ToShortString()}: must be {value} ({why}); remove it from the akka block");
        }

        if (problems.Count > 0) throw new ConfigurationException(problems);
    }

    private static string Render(string key, HoconObject value) =>
        HoconRenderer.Render(new HoconObject([new KeyValuePair<string, HoconValue>(key, value)], value.Origin));

    private static string Quote(string value) => HoconPath.Quote(value);

    private static string Duration(TimeSpan value) => $"{(long)value.TotalMilliseconds}ms";
}
