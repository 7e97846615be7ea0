namespace Replication.Coordinator.Management;

/// <summary>
/// Something an endpoint reads from (the checkpoint database, the cluster view) failed. The endpoint answers 503 naming
/// <see cref="Dependency"/> and the cause, never a stack trace.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, Exception cause)
    : Exception($"{dependency} unavailable: {cause.Message}", cause)
{
    public string Dependency { get; } = dependency;

    /// <summary>Runs <paramref name="read"/>, blaming <paramref name="dependency"/> for any failure other than the caller giving up.</summary>
    public static async Task<T> Guard<T>(string dependency, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException(dependency, e);
        }
    }
}
