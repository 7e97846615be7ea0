using Replication.Dynamo.Conversion;
using Replication.Hocon;

namespace Replication.Configuration;

/// <summary>
/// Reads the `replication` block value by value, collecting every problem (path, file:line, what is wrong) instead of
/// stopping at the first, so a user fixes a config in one pass.
/// </summary>
internal sealed class SettingsReader(HoconConfig config)
{
    private readonly List<string> _problems = [];

    public ReplicationSettings Read()
    {
        var settings = new ReplicationSettings(
            Id: Check(Get(c => c.GetString("id"), "replication"), "id", id => id.Length > 0 && !id.Contains('.') && !id.Contains('/') && !id.Contains('$'),
                "must be a non-empty name without '.', '/' or '$' (it names the checkpoint database)"),
            Mode: Enum<SyncMode>("mode"),
            Source: new SourceSettings(
                Enum<SourceType>("source.type"),
                new DynamoSourceSettings(
                    Get(c => c.GetString("source.dynamodb.region"), ""),
                    Get(c => c.GetString("source.dynamodb.endpoint"), ""),
                    Get(c => c.GetString("source.dynamodb.credentials.access-key-id"), ""),
                    Get(c => c.GetString("source.dynamodb.credentials.secret-access-key"), ""),
                    Get(c => c.GetString("source.dynamodb.credentials.session-token"), ""),
                    Get(c => c.GetString("source.dynamodb.credentials.profile"), ""),
                    Positive(Get(c => c.GetDuration("source.dynamodb.request-timeout"), TimeSpan.FromSeconds(30)), "source.dynamodb.request-timeout"),
                    AtLeast(Get(c => c.GetInt("source.dynamodb.max-attempts"), 10), 1, "source.dynamodb.max-attempts")),
                Get(c => c.GetString("source.mongodb.uri"), "")),
            Target: new TargetSettings(
                Get(c => c.GetString("target.mongodb.uri"), ""),
                Check(Get(c => c.GetString("target.mongodb.database"), "dynamodb"), "target.mongodb.database", d => d.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(d) < 64 && d.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) < 0,
                    "must be a MongoDB database name (under 64 bytes; no '/', '\\', '.', space, '\"' or '$')"),
                Between(Get(c => c.GetInt("target.mongodb.bulk-size"), 1000), 1, 100_000, "target.mongodb.bulk-size")),
            Filter: new FilterSettings(Get(c => c.GetStringList("filter.include"), ["*"]), Get(c => c.GetStringList("filter.exclude"), [])),
            Renames: ReadRenames(),
            Convert: new ConvertSettings(Enum<ConvertMode>("convert.mode"), Enum<IdentityMode>("convert.key")),
            FullSync: new FullSyncSettings(
                Between(Get(c => c.GetInt("full-sync.segments"), 4), 1, 1_000_000, "full-sync.segments"),
                Between(Get(c => c.GetInt("full-sync.page-size"), 0), 0, 1_000_000, "full-sync.page-size"),
                AtLeast(Get(c => c.GetInt("full-sync.items-per-second"), 0), 0, "full-sync.items-per-second"),
                Enum<IndexCreation>("full-sync.create-indexes"),
                Get(c => c.GetBoolean("full-sync.drop-target"), false),
                Between(Get(c => c.GetInt("full-sync.queue-capacity"), 4), 1, 1024, "full-sync.queue-capacity"),
                Get(c => c.GetBoolean("full-sync.consistent-read"), false)),
            Incremental: new IncrementalSettings(
                Positive(Get(c => c.GetDuration("incremental.min-poll-interval"), TimeSpan.FromMilliseconds(200)), "incremental.min-poll-interval"),
                Positive(Get(c => c.GetDuration("incremental.max-idle-backoff"), TimeSpan.FromSeconds(2)), "incremental.max-idle-backoff"),
                Between(Get(c => c.GetInt("incremental.records-limit"), 1000), 1, 1000, "incremental.records-limit"),
                Positive(Get(c => c.GetDuration("incremental.shard-discovery-interval"), TimeSpan.FromSeconds(30)), "incremental.shard-discovery-interval"),
                Enum<TrimmedDataPolicy>("incremental.on-trimmed-data")),
            Checkpoint: new CheckpointSettings(Get(c => c.GetString("checkpoint.uri"), ""), Get(c => c.GetString("checkpoint.database"), "")),
            DeadLetterCollection: Get(c => c.GetString("dead-letter.collection"), "deadletters"),
            Cluster: new ClusterSettings(
                Get(c => c.GetBoolean("cluster.enabled"), false),
                Positive(Get(c => c.GetDuration("cluster.lease-duration"), TimeSpan.FromSeconds(10)), "cluster.lease-duration"),
                Positive(Get(c => c.GetDuration("cluster.lease-renew-interval"), TimeSpan.FromSeconds(3)), "cluster.lease-renew-interval"),
                Between(Get(c => c.GetInt("cluster.shards"), 50), 1, 10000, "cluster.shards")),
            Management: new ManagementSettings(
                Get(c => c.GetBoolean("management.http.enabled"), true),
                Get(c => c.GetString("management.http.hostname"), "127.0.0.1"),
                Between(Get(c => c.GetInt("management.http.port"), 8558), 0, 65535, "management.http.port")))
        {
            StartupTimeout = Positive(Get(c => c.GetDuration("startup-timeout"), TimeSpan.FromSeconds(30)), "startup-timeout"),
            DrainTimeout = Positive(Get(c => c.GetDuration("drain-timeout"), TimeSpan.FromSeconds(30)), "drain-timeout"),
            StaleDocuments = Enum<StaleDocumentPolicy>("dead-letter.stale-document"),
            Verify = new VerifySettings(
                Between(Get(c => c.GetInt("verify.parallelism"), 4), 1, 1024, "verify.parallelism"),
                AtLeast(Get(c => c.GetInt("verify.rate-limit"), 0), 0, "verify.rate-limit"),
                AtLeast(Get(c => c.GetInt("verify.max-differences"), 100), 0, "verify.max-differences"),
                Between(Get(c => c.GetInt("verify.batch-size"), 500), 1, 10_000, "verify.batch-size"),
                Between(Get(c => c.GetInt("verify.keys-in-memory"), 4_000_000), 1000, int.MaxValue, "verify.keys-in-memory")),
            MaxRestartsAtOnePosition = AtLeast(Get(c => c.GetInt("supervision.max-restarts-at-one-position"), 10), 0, "supervision.max-restarts-at-one-position"),
            MongoSource = new MongoSourceSettings(
                Enum<ChangeStreamLevel>("source.mongodb.change-stream"),
                Enum<UpdateApplication>("source.mongodb.updates"),
                Enum<DdlPolicy>("source.mongodb.ddl"),
                Enum<IndexBuild>("source.mongodb.indexes"),
                Between(Get(c => c.GetInt("source.mongodb.copiers"), 4), 1, 256, "source.mongodb.copiers"),
                Between(Get(c => c.GetInt("source.mongodb.range-documents"), 100_000), 1, int.MaxValue, "source.mongodb.range-documents"),
                Between(Get(c => c.GetInt("source.mongodb.batch-size"), 1000), 1, 100_000, "source.mongodb.batch-size")),
        };
        _ = Get(c => c.GetBoolean("strict-config"), true);

        CheckCrossFieldRules(settings);
        if (_problems.Count > 0) throw new ConfigurationException(_problems);
        return settings;
    }

    private void CheckCrossFieldRules(ReplicationSettings s)
    {
        if (s.Target.Uri.Length == 0) Problem("target.mongodb.uri", "is empty: set the target MongoDB connection string (or TARGET_MONGODB_URI)");
        if (s.Source.Type == SourceType.DynamoDb && s.Source.DynamoDb.Region.Length == 0 && s.Source.DynamoDb.Endpoint.Length == 0)
            Problem("source.dynamodb.region", "is empty: set the AWS region (or AWS_REGION), or an endpoint");
        if (s.Source.Type == SourceType.MongoDb && s.Source.MongoUri.Length == 0)
            Problem("source.mongodb.uri", "is empty: set the source MongoDB connection string (or SOURCE_MONGODB_URI)");
        if (s.Incremental.MaxIdleBackoff < s.Incremental.MinPollInterval)
            Problem("incremental.max-idle-backoff", $"({s.Incremental.MaxIdleBackoff.TotalMilliseconds} ms) is shorter than incremental.min-poll-interval ({s.Incremental.MinPollInterval.TotalMilliseconds} ms)");
        if (s.Cluster.LeaseRenewInterval >= s.Cluster.LeaseDuration * Replication.Cluster.LeaseFence.SafeFraction)
            Problem("cluster.lease-renew-interval", "must be shorter than 90% of cluster.lease-duration (how long a holder writes after a renewal), or work stops between renewals");
        var a = s.Source.DynamoDb;
        if ((a.AccessKeyId.Length == 0) != (a.SecretAccessKey.Length == 0))
            Problem("source.dynamodb.credentials", "access-key-id and secret-access-key must be set together (or both left empty for the default chain)");
    }

    private IReadOnlyDictionary<string, string> ReadRenames()
    {
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.HasPath("transform.rename")) return renames;
        foreach (var key in Get(c => c.GetKeys("transform.rename"), []))
        {
            var quoted = HoconPath.Of("transform", "rename", key).ToString();
            var value = Get(c => c.GetString(quoted), "");
            if (value.Length == 0) Problem(quoted, "must name a target collection");
            else renames[key] = value;
        }
        return renames;
    }

    private T Enum<T>(string path) where T : struct, System.Enum
    {
        var text = Get(c => c.GetString(path), null);
        if (text is null) return default;
        var normalized = text.Replace("-", "").Replace("_", "");
        if (System.Enum.TryParse<T>(normalized, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsDigit(normalized[0]))
            return value;
        var allowed = string.Join(" | ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        Problem(path, $"is \"{text}\", expected one of: {allowed}");
        return default;
    }

    private T Get<T>(Func<HoconConfig, T> read, T fallback)
    {
        try
        {
            return read(config);
        }
        catch (HoconException e)
        {
            _problems.Add(e.Message);
            return fallback;
        }
    }

    private string Check(string value, string path, Func<string, bool> valid, string rule)
    {
        if (!valid(value)) Problem(path, $"is \"{value}\", which {rule}");
        return value;
    }

    private int Between(int value, int min, int max, string path)
    {
        if (value < min || value > max) Problem(path, $"is {value}, expected {min}..{max}");
        return value;
    }

    private int AtLeast(int value, int min, string path)
    {
        if (value < min) Problem(path, $"is {value}, expected at least {min}");
        return value;
    }

    private TimeSpan Positive(TimeSpan value, string path)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan) Problem(path, "must be a positive duration");
        return value;
    }

    private void Problem(string path, string message)
    {
        var full = $"{ReplicationSettings.Root}.{path}";
        var origin = config.GetValue(path)?.Origin;
        _problems.Add(origin is { } o ? $"{full} at {o.ToShortString()}: {message}" : $"{full}: {message}");
    }
}

/// <summary>Every problem found in a configuration, one per line, each naming the key and where it was set.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems)
    : Exception("invalid configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
