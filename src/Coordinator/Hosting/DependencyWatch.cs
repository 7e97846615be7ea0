using Replication.Dependencies;
using Replication.Dynamo.Http;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// Pings the source, the target and (when elsewhere) the checkpoint database every few seconds while the node runs and
/// tells <see cref="DependencyHealth"/> what it saw, so a stall or a cut connection is counted and logged even while no
/// work happens to touch that dependency. A ping that is still hanging is not repeated: it counts as no answer.
/// </summary>
internal sealed class DependencyWatch : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(5);

    private readonly DependencyHealth _health;
    private readonly (string Dependency, Func<CancellationToken, Task> Ping)[] _checks;
    private readonly Task?[] _inFlight;
    private readonly DateTimeOffset[] _startedAt;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DependencyWatch(DependencyHealth health, params (string Dependency, Func<CancellationToken, Task> Ping)[] checks)
    {
        _health = health;
        _checks = checks;
        _inFlight = new Task?[checks.Length];
        _startedAt = new DateTimeOffset[checks.Length];
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                for (var i = 0; i < _checks.Length; i++) Check(i);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Check(int i)
    {
        var (dependency, ping) = _checks[i];
        if (_inFlight[i] is { IsCompleted: false })
        {
            var waited = DateTimeOffset.UtcNow - _startedAt[i];
            if (waited > AnswerWithin) _health.Failed(dependency, "timeout", $"no answer to a ping for {waited.TotalSeconds:0} s");
            return;
        }
        _startedAt[i] = DateTimeOffset.UtcNow;
        _inFlight[i] = Task.Run(async () =>
        {
            try
            {
                await ping(_stop.Token).ConfigureAwait(false);
                _health.Succeeded(dependency);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopping.
            }
            catch (Exception e)
            {
                _health.Failed(dependency, KindOf(e), e.Message);
            }
        });
    }

    /// <summary>The <c>kind</c> label of a fault: what an operator would look for first.</summary>
    public static string KindOf(Exception e) => e switch
    {
        DynamoThrottlingException => "throttled",
        DynamoServerException => "server-error",
        DynamoNetworkException => "network",
        DynamoException => "refused",
        MongoAccess.MongoUnavailableException => "network",
        MongoDB.Driver.MongoConnectionException => "network",
        MongoDB.Driver.MongoException => "command",
        TimeoutException => "timeout",
        _ => e.GetType().Name,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
