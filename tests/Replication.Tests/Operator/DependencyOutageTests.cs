namespace Replication.Tests.Operator;

/// <summary>
/// A running `replication run` whose target MongoDB or source DynamoDB stalls behind a proxy: the outage is logged at warning with its
/// cause, counted in replication_errors_total{dependency,kind}, logged again when it ends, and a stop during it still
/// ends within the drain timeout plus the hand-back allowance.
/// </summary>
public sealed class DependencyOutageTests : IAsyncLifetime
{
    private SlowCopyNode _copy = null!;

    public async Task InitializeAsync() => _copy = await SlowCopyNode.StartAsync("outage-test", stallable: true);

    public async Task DisposeAsync() => await _copy.DisposeAsync();


    [Fact]
    public async Task A_stalled_target_is_logged_counted_and_its_recovery_logged()
    {
        _copy.Proxy!.Stall();

        var warning = await _copy.Node.WaitForLineAsync(l => l.Contains("mongodb-target down for"), TimeSpan.FromSeconds(60));
        Assert.Contains("retrying", warning);
        var metrics = await _copy.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("replication_errors_total{", StringComparison.Ordinal)
                                                  && l.Contains("dependency=\"mongodb-target\"") && l.Contains("kind=\"timeout\""));

        _copy.Proxy!.Resume();

        await _copy.Node.WaitForLineAsync(l => l.Contains("mongodb-target is reachable again"), TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(" DEBUG", _copy.Node.Output);
        Assert.DoesNotContain("   at ", _copy.Node.Output);
    }

    [Fact]
    public async Task A_blackholed_source_is_logged_counted_and_its_recovery_logged()
    {
        _copy.SourceProxy!.Stall();

        var warning = await _copy.Node.WaitForLineAsync(l => l.Contains("dynamodb down for"), TimeSpan.FromSeconds(60));
        Assert.Contains("no response within", warning);
        var metrics = await _copy.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("replication_errors_total{", StringComparison.Ordinal) && l.Contains("dependency=\"dynamodb\""));

        _copy.SourceProxy!.Resume();

        await _copy.Node.WaitForLineAsync(l => l.Contains("dynamodb is reachable again"), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task SIGTERM_during_a_stalled_target_stops_within_the_drain_timeout_and_the_hand_back_allowance()
    {
        _copy.Proxy!.Stall();
        await _copy.Node.WaitForLineAsync(l => l.Contains("mongodb-target down for"), TimeSpan.FromSeconds(60));

        _copy.Node.Signal(NodeProcess.SigTerm);

        // drain-timeout 2 s + 10 s to hand back and stop; before, a stop waited up to 45 s. Generous for a loaded machine.
        Assert.True(await _copy.Node.WaitForExitAsync(TimeSpan.FromSeconds(35)), $"the node did not stop within 35 s of SIGTERM:\n{_copy.Node.Output}");
    }
}
