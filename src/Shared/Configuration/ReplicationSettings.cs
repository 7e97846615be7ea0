using Replication.Dynamo.Conversion;
using Replication.Hocon;

namespace Replication.Configuration;

public enum SyncMode { All, Full, Incremental }

public enum SourceType { DynamoDb, MongoDb }

public enum IndexCreation { None, Primary, All }

public enum TrimmedDataPolicy { Resync, Stop }

/// <summary>What happens to the target's document of a key whose newer item had to be dead-lettered.</summary>
public enum StaleDocumentPolicy { Remove, Keep }

/// <summary>
/// The typed `replication { … }` block. Built once from the resolved HOCON; every invalid value is reported with its
/// path and the file:line it came from, all at once, before anything starts.
/// </summary>
public sealed record ReplicationSettings(
    string Id,
    SyncMode Mode,
    SourceSettings Source,
    TargetSettings Target,
    FilterSettings Filter,
    IReadOnlyDictionary<string, string> Renames,
    ConvertSettings Convert,
    FullSyncSettings FullSync,
    IncrementalSettings Incremental,
    CheckpointSettings Checkpoint,
    string DeadLetterCollection,
    ClusterSettings Cluster,
    ManagementSettings Management)
{
    public const string Root = "replication";

    /// <summary>The checkpoint database: <c>checkpoint.database</c>, or <c>&lt;id&gt;_checkpoint</c>.</summary>
    public string CheckpointDatabase => Checkpoint.Database.Length > 0 ? Checkpoint.Database : $"{Id}_checkpoint";

    /// <summary>The checkpoint connection string: <c>checkpoint.uri</c>, or the target's.</summary>
    public string CheckpointUri => Checkpoint.Uri.Length > 0 ? Checkpoint.Uri : Target.Uri;

    public static ReplicationSettings From(HoconConfig config) => new SettingsReader(config.GetConfig(Root)).Read() with { Configuration = config };

    /// <summary><c>dead-letter.stale-document</c>: remove (default) or keep the older version of a dead-lettered item.</summary>
    public StaleDocumentPolicy StaleDocuments { get; init; }

    /// <summary><c>supervision.max-restarts-at-one-position</c>: a segment or shard failing again after this many restarts at one position is stopped; 0 = never.</summary>
    public int MaxRestartsAtOnePosition { get; init; } = 10;

    /// <summary>The resolved configuration these settings were read from (the management endpoints show it, redacted).</summary>
    public HoconConfig? Configuration { get; init; }

    /// <summary>How long the startup checks may take to reach the source and the target before the node gives up and exits.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop waits for in-flight pages and batches before it cancels them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>source.mongodb { … }</c> beyond the uri: how a MongoDB source is copied and followed.</summary>
    public MongoSourceSettings MongoSource { get; init; } = MongoSourceSettings.Default;

    /// <summary><c>verify { … }</c>: how `replication verify` compares the source with the target.</summary>
    public VerifySettings Verify { get; init; } = new(4, 0, 100, 500, 4_000_000);
}

/// <summary>
/// `replication verify`: workers per table or collection, documents per second read from both sides together (0 =
/// unlimited), differences listed per run, documents per lookup batch, and source keys held in memory before they spill to disk.
/// </summary>
public sealed record VerifySettings(int Parallelism, int RateLimit, int MaxDifferences, int BatchSize, int KeysInMemory);

public sealed record SourceSettings(SourceType Type, DynamoSourceSettings DynamoDb, string MongoUri);

public sealed record DynamoSourceSettings(
    string Region,
    string Endpoint,
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    string Profile,
    TimeSpan RequestTimeout,
    int MaxAttempts);

public sealed record TargetSettings(string Uri, string Database, int BulkSize);

public sealed record FilterSettings(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude);

public sealed record ConvertSettings(ConvertMode Mode, IdentityMode Key);

public sealed record FullSyncSettings(
    int Segments,
    int PageSize,
    int ItemsPerSecond,
    IndexCreation CreateIndexes,
    bool DropTarget,
    int QueueCapacity,
    bool ConsistentRead);

public sealed record IncrementalSettings(
    TimeSpan MinPollInterval,
    TimeSpan MaxIdleBackoff,
    int RecordsLimit,
    TimeSpan ShardDiscoveryInterval,
    TrimmedDataPolicy OnTrimmedData);

public sealed record CheckpointSettings(string Uri, string Database);

public sealed record ClusterSettings(
    bool Enabled,
    TimeSpan LeaseDuration,
    TimeSpan LeaseRenewInterval,
    int Shards);

public sealed record ManagementSettings(bool Enabled, string Hostname, int Port);
