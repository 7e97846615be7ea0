using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Management.Health;
using Replication.Hocon;
using Replication.Metrics;

namespace Replication.Coordinator.Management;

/// <summary>
/// What the management endpoints read: the cluster as this node sees it, the checkpoints (cluster-wide progress), this
/// node's metrics, the effective configuration (the whole tree; only <c>replication</c> is shown, redacted) and readiness.
/// </summary>
public sealed record ManagementContext(
    IClusterView Cluster,
    CheckpointStore Checkpoints,
    ReplicationMetrics Metrics,
    HoconConfig Configuration,
    NodeReadiness Readiness)
{
    /// <summary>Decides what a finished full sync means in /progress: with mode <c>full</c> the table is done, otherwise it goes incremental.</summary>
    public SyncMode Mode { get; init; } = SyncMode.All;

    /// <summary>Builds <c>/progress</c> when the checkpoints are not DynamoDB's (a MongoDB source); null = from <see cref="Checkpoints"/>.</summary>
    public Func<CancellationToken, Task<Progress.ProgressReport>>? ProgressSource { get; init; }

    /// <summary>"Now" for rates, ETAs and lease expiry; tests pass a manual clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
