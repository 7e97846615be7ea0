using Microsoft.Extensions.Hosting;

namespace Replication.Coordinator.Management.Hosting;

/// <summary>
/// The management host lives inside a node that owns the process: it must not take Ctrl-C or SIGTERM (the default
/// console lifetime would, cutting short the node's drain), and it stops when the node disposes it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
