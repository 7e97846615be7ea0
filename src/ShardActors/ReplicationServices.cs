using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.Metrics;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors;

/// <summary>
/// The I/O the actors use, built once per node: the source's Scan and Streams clients, the target database, the
/// checkpoint store, the shared full-sync rate limit, metrics and logging. Actors decide; these do the work.
/// </summary>
public sealed class ReplicationServices(
    ReplicationSettings settings,
    DynamoScanClient scan,
    IStreamSource streams,
    IMongoDatabase target,
    CheckpointStore checkpoints,
    ReplicationMetrics metrics,
    ILoggerFactory loggers,
    TimeProvider? clock = null)
{
    public ReplicationSettings Settings => settings;
    public DynamoScanClient Scan => scan;
    public IStreamSource Streams => streams;
    public IMongoDatabase Target => target;
    public CheckpointStore Checkpoints => checkpoints;
    public ReplicationMetrics Metrics => metrics;
    public ILoggerFactory Loggers => loggers;
    public TimeProvider Clock => clock ?? TimeProvider.System;

    /// <summary>Set when this node is one of a cluster: its work then comes from leases instead of being spawned locally.</summary>
    public ClusterContext? Cluster { get; init; }

    /// <summary>Restarts in a row of each segment and shard at one position, and the ones stopped for it.</summary>
    public RestartLedger Restarts { get; } = new(settings.MaxRestartsAtOnePosition, clock ?? TimeProvider.System);

    /// <summary>The node's graceful stop: no new batch once it begins, the ones in flight finish and checkpoint.</summary>
    public WorkDrain Drain { get; } = new();

    /// <summary>One items-per-second budget shared by every segment of every table; null when unlimited.</summary>
    public RateLimiter? FullSyncLimiter { get; } = settings.FullSync.ItemsPerSecond > 0
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.FullSync.ItemsPerSecond,
            TokensPerPeriod = Math.Max(1, settings.FullSync.ItemsPerSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        })
        : null;
}
