using Microsoft.Extensions.Logging;
using Replication.Cluster;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// Writes this node's heartbeat every <c>cluster.heartbeat-interval</c>, and joins again if its member document was
/// removed. A failed heartbeat is only logged: the leases, not the heartbeat, decide who may work.
/// </summary>
public sealed class ClusterHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ClusterHeartbeat(ClusterContext cluster, string managementAddress, IReadOnlyList<string> roles, ILogger logger)
    {
        _loop = RunAsync(cluster, managementAddress, roles, logger, _stop.Token);
    }

    private static async Task RunAsync(ClusterContext cluster, string address, IReadOnlyList<string> roles, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(cluster.Settings.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (!await cluster.Membership.HeartbeatAsync(cluster.NodeId, cancellationToken).ConfigureAwait(false))
                        await cluster.Membership.JoinAsync(cluster.NodeId, address, roles, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("node {Node}: heartbeat failed: {Error}", cluster.NodeId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops heartbeating (the node is leaving, or has crashed in a test).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
