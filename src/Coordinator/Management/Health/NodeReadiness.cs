namespace Replication.Coordinator.Management.Health;

/// <summary>
/// Whether this node should receive work, for <c>/ready</c>. The node sets <see cref="Joined"/> while it is an Up member
/// of the Akka cluster and <see cref="LeasesSynced"/> once it has read the lease table; the source and the target are probed on
/// demand through the delegates (each throws when its database cannot be reached).
/// </summary>
public sealed class NodeReadiness
{
    public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(2);

    // Kubernetes probes every few seconds from several places; this keeps a probe storm from becoming a query storm.
    public static readonly TimeSpan DefaultCacheFor = TimeSpan.FromSeconds(3);

    private readonly ReachabilityCheck _source;
    private readonly ReachabilityCheck _target;
    private volatile bool _joined;
    private volatile bool _leasesSynced;

    public NodeReadiness(Func<CancellationToken, Task> pingSource, Func<CancellationToken, Task> pingTarget,
        TimeSpan? checkTimeout = null, TimeSpan? cacheFor = null, TimeProvider? clock = null)
    {
        var timeout = checkTimeout ?? DefaultCheckTimeout;
        var cache = cacheFor ?? DefaultCacheFor;
        var time = clock ?? TimeProvider.System;
        _source = new ReachabilityCheck("source", pingSource, timeout, cache, time);
        _target = new ReachabilityCheck("target", pingTarget, timeout, cache, time);
    }

    public bool Joined
    {
        get => _joined;
        set => _joined = value;
    }

    public bool LeasesSynced
    {
        get => _leasesSynced;
        set => _leasesSynced = value;
    }

    /// <summary>Segments and shards this node stopped after too many restarts at one position, as "what: why" lines.</summary>
    public Func<IReadOnlyCollection<string>> FailedUnits { get; init; } = () => [];

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var source = _source.CheckAsync().WaitAsync(cancellationToken);
        var target = _target.CheckAsync().WaitAsync(cancellationToken);
        ReadinessCheck[] checks =
        [
            new("joined", Joined, Joined ? null : "this node is not an Up member of the cluster (joining, leaving or removed)"),
            new("leases-synced", LeasesSynced, LeasesSynced ? null : "this node has not read the lease table yet"),
            await source.ConfigureAwait(false),
            await target.ConfigureAwait(false),
            UnitsCheck(),
        ];
        return new ReadinessReport(checks.All(c => c.Ok), checks);
    }

    private ReadinessCheck UnitsCheck()
    {
        var failed = FailedUnits();
        return failed.Count == 0
            ? new ReadinessCheck("units-running", true, null)
            : new ReadinessCheck("units-running", false, $"stopped after repeated failures at one position: {string.Join("; ", failed)}");
    }
}
