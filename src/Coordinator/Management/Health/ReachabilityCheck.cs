namespace Replication.Coordinator.Management.Health;

/// <summary>
/// One database's reachability: a time-boxed ping whose result is kept for a short while. Concurrent callers share the
/// ping in flight, so a burst of probes costs one round trip.
/// </summary>
internal sealed class ReachabilityCheck(string name, Func<CancellationToken, Task> ping, TimeSpan timeout, TimeSpan cacheFor, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private Task<ReadinessCheck>? _inFlight;
    private ReadinessCheck? _last;
    private DateTimeOffset _lastAt;

    public Task<ReadinessCheck> CheckAsync()
    {
        lock (_gate)
        {
            if (_last is { } last && clock.GetUtcNow() - _lastAt < cacheFor) return Task.FromResult(last);
            // Task.Run: the ping must not run (even its synchronous start) under the lock.
            return _inFlight ??= Task.Run(PingAsync);
        }
    }

    private async Task<ReadinessCheck> PingAsync()
    {
        var result = await TimeBoxedPingAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _last = result;
            _lastAt = clock.GetUtcNow();
            _inFlight = null;
        }
        return result;
    }

    private async Task<ReadinessCheck> TimeBoxedPingAsync()
    {
        using var cancel = new CancellationTokenSource(timeout, clock);
        Task pinging;
        try
        {
            pinging = ping(cancel.Token);
        }
        catch (Exception e)
        {
            return Failed(e.Message);
        }
        try
        {
            // WaitAsync as well as the token: a ping that ignores its token still cannot hold the probe.
            await pinging.WaitAsync(timeout, clock).ConfigureAwait(false);
            return new ReadinessCheck(name, true, null);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && cancel.IsCancellationRequested))
        {
            // The abandoned ping may still fail later; observe it so it is not reported as unobserved.
            _ = pinging.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            return Failed($"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e)
        {
            return Failed(e.Message);
        }
    }

    private ReadinessCheck Failed(string error) => new(name, false, error);
}
