using Replication.Configuration;
using Replication.Dynamo.Conversion;
using Replication.Hocon;

namespace Replication.Tests.Configuration;

public sealed class ReplicationSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("replication-settings-").FullName;
    private static readonly Dictionary<string, string> NoEnvironment = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string text)
    {
        var path = Path.Combine(_dir, "app.conf");
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_reference_defaults_make_valid_settings()
    {
        var loaded = ReplicationConfiguration.Load(null, environment: NoEnvironment);
        var s = loaded.Settings;
        Assert.Equal("replication", s.Id);
        Assert.Equal(SyncMode.All, s.Mode);
        Assert.Equal(SourceType.DynamoDb, s.Source.Type);
        Assert.Equal("us-east-1", s.Source.DynamoDb.Region);
        Assert.Equal("dynamodb", s.Target.Database);
        Assert.Equal(4, s.FullSync.Segments);
        Assert.Equal(IndexCreation.Primary, s.FullSync.CreateIndexes);
        Assert.Equal(ConvertMode.Typed, s.Convert.Mode);
        Assert.Equal(IdentityMode.Id, s.Convert.Key);
        Assert.Equal(TimeSpan.FromMilliseconds(200), s.Incremental.MinPollInterval);
        Assert.Equal(TrimmedDataPolicy.Resync, s.Incremental.OnTrimmedData);
        Assert.Equal(8558, s.Management.Port);
        Assert.Equal("replication_checkpoint", s.CheckpointDatabase);
        Assert.Equal(s.Target.Uri, s.CheckpointUri);
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void The_users_file_environment_and_overrides_layer_in_that_order()
    {
        var path = File("""
            replication {
              id = orders-sync
              full-sync.segments = 8
              transform.rename { "Orders" = "orders", "Users.v2" = users }
              filter.include = ["Ord*", "Users*"]
              source.dynamodb.region = ${?TEST_REGION}
            }
            """);
        var env = new Dictionary<string, string> { ["TEST_REGION"] = "eu-west-1", ["REPLICATION_CONFIG_replication_target_mongodb_bulk__size"] = "500" };
        var s = ReplicationConfiguration.Load(path, ["replication.full-sync.segments=16"], env).Settings;

        Assert.Equal("orders-sync", s.Id);
        Assert.Equal("orders-sync_checkpoint", s.CheckpointDatabase);
        Assert.Equal(16, s.FullSync.Segments);
        Assert.Equal(500, s.Target.BulkSize);
        Assert.Equal("eu-west-1", s.Source.DynamoDb.Region);
        Assert.Equal(["Ord*", "Users*"], s.Filter.Include);
        Assert.Equal("orders", s.Renames["Orders"]);
        Assert.Equal("users", s.Renames["Users.v2"]);
    }

    [Fact]
    public void Every_bad_value_is_reported_with_its_key_and_line()
    {
        var path = File("""
            replication {
              mode = sometimes
              full-sync {
                segments = four
                create-indexes = everything
              }
              incremental.min-poll-interval = -5s
            }
            """);
        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(path, environment: NoEnvironment));

        Assert.Contains(ex.Problems, p => p.StartsWith("replication.mode at ") && p.Contains("app.conf:2:") && p.Contains("\"sometimes\"") && p.Contains("all | full | incremental"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.full-sync.segments at ") && p.Contains("app.conf:4:") && p.Contains("expected an integer"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.full-sync.create-indexes at ") && p.Contains("app.conf:5:") && p.Contains("none | primary | all"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.incremental.min-poll-interval at ") && p.Contains("app.conf:7:"));
        Assert.Equal(4, ex.Problems.Count);
    }

    [Fact]
    public void A_typo_in_a_key_is_an_error_with_a_suggestion()
    {
        var path = File("""
            replication {
              full-sync {
                segmetns = 8
              }
            }
            """);
        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(path, environment: NoEnvironment));
        var problem = Assert.Single(ex.Problems);
        Assert.Contains("app.conf:3", problem);
        Assert.Contains("unknown key 'replication.full-sync.segmetns' (did you mean 'replication.full-sync.segments'?)", problem);
    }

    [Fact]
    public void A_misspelled_top_level_block_is_an_error()
    {
        var path = File("""
            replicaton {
              id = typo
            }
            """);
        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(path, environment: NoEnvironment));
        Assert.Contains(ex.Problems, p => p.Contains("app.conf:2") && p.Contains("unknown key 'replicaton' (did you mean 'replication'?)"));
    }

    [Fact]
    public void With_strict_config_off_a_typo_in_a_key_is_a_warning_with_a_suggestion()
    {
        var path = File("""
            replication {
              strict-config = off
              full-sync {
                segmetns = 8
              }
            }
            """);
        var loaded = ReplicationConfiguration.Load(path, environment: NoEnvironment);
        var warning = Assert.Single(loaded.Warnings);
        Assert.Contains("app.conf:4", warning.Message);
        Assert.Contains("replication.full-sync.segmetns", warning.Message);
        Assert.Contains("segments", warning.Suggestion);
    }

    [Fact]
    public void A_syntax_error_names_file_line_and_column()
    {
        var path = File("replication {\n  id = \"unterminated\n}\n");
        var ex = Assert.Throws<HoconException>(() => ReplicationConfiguration.Load(path, environment: NoEnvironment));
        Assert.Contains("app.conf:2:", ex.Message);
    }

    [Fact]
    public void Rules_across_keys_are_checked()
    {
        var path = File("""
            replication.cluster { lease-duration = 2s, lease-renew-interval = 3s }
            replication.source.dynamodb.credentials.access-key-id = AKIA
            replication.target.mongodb.uri = ""
            """);
        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(path, environment: NoEnvironment));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.cluster.lease-renew-interval"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.source.dynamodb.credentials") && p.Contains("together"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.target.mongodb.uri") && p.Contains("TARGET_MONGODB_URI"));
    }
    [Fact]
    public void The_number_of_sharding_shards_defaults_to_50_and_must_be_positive()
    {
        Assert.Equal(50, ReplicationConfiguration.Load(null, environment: NoEnvironment).Settings.Cluster.Shards);
        Assert.Equal(7, ReplicationConfiguration.Load(File("replication.cluster.shards = 7"), environment: NoEnvironment).Settings.Cluster.Shards);
        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(File("replication.cluster.shards = 0"), environment: NoEnvironment));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.cluster.shards"));
    }

    [Fact]
    public void The_stale_document_policy_and_the_restart_limit_are_read_and_checked()
    {
        var defaults = ReplicationConfiguration.Load(null, environment: NoEnvironment).Settings;
        Assert.Equal((StaleDocumentPolicy.Remove, 10), (defaults.StaleDocuments, defaults.MaxRestartsAtOnePosition));

        var set = ReplicationConfiguration.Load(File("replication { dead-letter.stale-document = keep, supervision.max-restarts-at-one-position = 3 }"), environment: NoEnvironment).Settings;
        Assert.Equal((StaleDocumentPolicy.Keep, 3), (set.StaleDocuments, set.MaxRestartsAtOnePosition));

        var ex = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(
            File("replication {\n  dead-letter.stale-document = drop\n  supervision.max-restarts-at-one-position = -1\n}\n"), environment: NoEnvironment));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.dead-letter.stale-document at ") && p.Contains("app.conf:2:") && p.Contains("remove | keep"));
        Assert.Contains(ex.Problems, p => p.StartsWith("replication.supervision.max-restarts-at-one-position at ") && p.Contains("app.conf:3:"));
    }
}
