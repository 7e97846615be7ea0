using Replication.AkkaCluster;
using Replication.AkkaCluster.Lease;
using Replication.Configuration;

namespace Replication.Tests.AkkaCluster;

public sealed class AkkaConfigFactoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("replication-akka-config-").FullName;
    private static readonly Dictionary<string, string> NoEnvironment = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ReplicationConfiguration Load(string text, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(_dir, "node.conf");
        File.WriteAllText(path, text);
        return ReplicationConfiguration.Load(path, environment: environment ?? NoEnvironment);
    }

    [Fact]
    public void The_reference_defaults_give_a_cluster_node_with_keep_majority_ddata_sharding_and_the_mongodb_lease()
    {
        var akka = AkkaConfigFactory.Create(ReplicationConfiguration.Load(null, environment: NoEnvironment).Config);

        Assert.Equal("cluster", akka.GetString("akka.actor.provider"));
        Assert.Equal("127.0.0.1", akka.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(2552, akka.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Empty(akka.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", akka.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", akka.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(7), akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal("ddata", akka.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.Empty(akka.GetStringList("akka.cluster.sharding.distributed-data.durable.keys"));
        Assert.Equal(MongoLease.ConfigPath, akka.GetString("akka.cluster.sharding.use-lease"));
        Assert.Equal(MongoLease.ConfigPath, akka.GetString("akka.cluster.singleton.use-lease"));
        // Sharding's own coordinator places shards only: its singleton runs without the lease; shards retry theirs every second.
        var coordinatorSingleton = akka.GetConfig(akka.GetString("akka.cluster.sharding.coordinator-singleton"));
        Assert.Equal("", coordinatorSingleton.GetString("use-lease"));
        Assert.Equal("singleton", coordinatorSingleton.GetString("singleton-name"));
        Assert.Equal(TimeSpan.FromSeconds(1), akka.GetTimeSpan("akka.cluster.sharding.lease-retry-interval"));
        Assert.Equal(TimeSpan.FromSeconds(1), akka.GetTimeSpan("akka.cluster.sharding.retry-interval"));
        var lease = akka.GetConfig(MongoLease.ConfigPath);
        Assert.Equal(typeof(MongoLease), Type.GetType(lease.GetString("lease-class"), throwOnError: true));
        Assert.Equal(TimeSpan.FromSeconds(10), lease.GetTimeSpan("heartbeat-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(3), lease.GetTimeSpan("heartbeat-interval"));
        Assert.Equal("mongodb://127.0.0.1:27017", lease.GetString("uri"));
        Assert.Equal("replication_checkpoint", lease.GetString("database"));
    }

    [Fact]
    public void Replication_cluster_keys_become_remote_and_cluster_settings()
    {
        var config = Load("""
            replication {
              id = orders
              checkpoint { uri = "mongodb://checkpoints:27017", database = "cp" }
              cluster {
                hostname = "10.0.0.5"
                port = 4053
                public-hostname = "node-a.example.net"
                seed-nodes = ["10.0.0.5:4053", "akka.tcp://replication@10.0.0.6:4053"]
                roles = [worker]
                split-brain-resolver.stable-after = 12s
                lease-duration = 20s
                lease-renew-interval = 5s
              }
            }
            """).Config;

        var akka = AkkaConfigFactory.Create(config);

        Assert.Equal("10.0.0.5", akka.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, akka.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("node-a.example.net", akka.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(["akka.tcp://replication@10.0.0.5:4053", "akka.tcp://replication@10.0.0.6:4053"], akka.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["worker"], akka.GetStringList("akka.cluster.roles"));
        Assert.Equal(TimeSpan.FromSeconds(12), akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        var lease = akka.GetConfig(MongoLease.ConfigPath);
        Assert.Equal(TimeSpan.FromSeconds(20), lease.GetTimeSpan("heartbeat-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(5), lease.GetTimeSpan("heartbeat-interval"));
        Assert.Equal("mongodb://checkpoints:27017", lease.GetString("uri"));
        Assert.Equal("cp", lease.GetString("database"));
        Assert.Equal("akka.tcp://replication@node-a.example.net:4053", AkkaClusterSettings.From(config).Address);
    }

    [Fact]
    public void The_akka_block_in_the_same_file_is_resolved_by_our_reader_and_wins_over_the_mapped_keys()
    {
        var config = Load("""
            replication.cluster.split-brain-resolver.stable-after = 12s
            akka {
              loglevel = DEBUG
              loglevel = ${?AKKA_LOGLEVEL}
              cluster.split-brain-resolver.stable-after = 30s
              actor.serialization-bindings { "System.String, System.Private.CoreLib" = json }
            }
            """, new Dictionary<string, string> { ["AKKA_LOGLEVEL"] = "WARNING" });

        var akka = AkkaConfigFactory.Create(config.Config);

        Assert.Equal("WARNING", akka.GetString("akka.loglevel"));
        Assert.Equal(TimeSpan.FromSeconds(30), akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal("json", akka.GetConfig("akka.actor.serialization-bindings").GetString("\"System.String, System.Private.CoreLib\""));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void A_typo_in_the_akka_block_is_an_error_with_file_line_and_the_known_key()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("""
            akka {
              cluster {
                split-brain-resolver.stable-afer = 30s
              }
            }
            """));

        var problem = Assert.Single(error.Problems);
        Assert.Contains(":3: unknown key 'akka.cluster.split-brain-resolver.stable-afer' (did you mean 'akka.cluster.split-brain-resolver.stable-after'?)", problem);
    }

    [Fact]
    public void With_strict_config_off_a_typo_in_the_akka_block_is_a_warning_with_file_line_and_the_known_key()
    {
        var config = Load("""
            akka {
              cluster {
                split-brain-resolver.stable-afer = 30s
              }
            }
            replication.strict-config = off
            """);

        var warning = Assert.Single(config.Warnings);
        Assert.Equal("akka.cluster.split-brain-resolver.stable-afer", warning.Path);
        Assert.Equal(3, warning.Origin.Line);
        Assert.Equal("akka.cluster.split-brain-resolver.stable-after", warning.Suggestion);
    }

    [Fact]
    public void The_new_replication_cluster_keys_are_known_to_the_unknown_key_check()
    {
        var config = Load("""
            replication.cluster {
              hostname = "0.0.0.0"
              public-hostname = "node-a"
              port = 0
              seed-nodes = ["node-a:2552"]
              roles = []
              split-brain-resolver.stable-after = 7s
            }
            """);

        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void A_bad_seed_node_and_a_bad_port_are_reported_with_file_line()
    {
        var config = Load("""
            replication.cluster {
              port = 70000
              seed-nodes = [
                "node-a:2552",
                "akka.tcp://other-system@node-b:2552"
              ]
            }
            """).Config;

        var problems = Assert.Throws<ConfigurationException>(() => AkkaConfigFactory.Create(config)).Problems;

        Assert.Contains(problems, p => p.StartsWith("replication.cluster.port at ") && p.Contains("node.conf:2") && p.Contains("0..65535"));
        Assert.Contains(problems, p => p.StartsWith("replication.cluster.seed-nodes.1 at ") && p.Contains("node.conf:5") && p.Contains("other-system"));
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void The_akka_block_cannot_put_sharding_back_on_the_broken_durable_store()
    {
        var config = Load("""
            akka.cluster.sharding {
              state-store-mode = persistence
              distributed-data.durable.keys = ["shard-*"]
            }
            """).Config;

        var problems = Assert.Throws<ConfigurationException>(() => AkkaConfigFactory.Create(config)).Problems;

        Assert.Contains(problems, p => p.StartsWith("akka.cluster.sharding.state-store-mode at ") && p.Contains("node.conf:2") && p.Contains("must be ddata"));
        Assert.Contains(problems, p => p.StartsWith("akka.cluster.sharding.distributed-data.durable.keys at ") && p.Contains("node.conf:3"));
    }
}
