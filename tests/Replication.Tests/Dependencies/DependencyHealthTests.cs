using Microsoft.Extensions.Logging;
using Replication.Dependencies;
using Replication.Metrics;
using Replication.Tests.EndToEnd;

namespace Replication.Tests.Dependencies;

public sealed class DependencyHealthTests
{
    [Fact]
    public void An_outage_is_warned_after_a_few_seconds_then_every_30_s_and_its_end_once()
    {
        var clock = new ManualClock();
        var logs = new CapturedLogs();
        using var metrics = new ReplicationMetrics();
        using var health = new DependencyHealth(metrics, logs.CreateLogger("test"), clock, warnAfter: TimeSpan.FromSeconds(5), repeatEvery: TimeSpan.FromSeconds(30));
        string[] Warnings() => [.. logs.At(LogLevel.Warning)];

        health.Failed(DependencyHealth.Target, "network", "connection refused");
        health.Tick();
        Assert.Empty(Warnings());

        clock.Advance(TimeSpan.FromSeconds(6));
        health.Failed(DependencyHealth.Target, "timeout", "no answer to a ping for 6 s");
        var first = Assert.Single(Warnings());
        Assert.Equal("mongodb-target down for 6 s, retrying: no answer to a ping for 6 s", first);

        clock.Advance(TimeSpan.FromSeconds(20));
        health.Tick();
        Assert.Single(Warnings());

        clock.Advance(TimeSpan.FromSeconds(11));
        health.Tick();
        Assert.Equal(2, Warnings().Length);

        health.Succeeded(DependencyHealth.Target);
        health.Succeeded(DependencyHealth.Target);
        Assert.Equal(3, Warnings().Length);
        Assert.Equal("mongodb-target is reachable again after 37 s down", Warnings()[2]);
        Assert.False(health.IsDown(DependencyHealth.Target));
    }

    [Fact]
    public void A_blip_shorter_than_the_warning_delay_is_counted_but_not_logged()
    {
        var clock = new ManualClock();
        var logs = new CapturedLogs();
        using var metrics = new ReplicationMetrics();
        using var health = new DependencyHealth(metrics, logs.CreateLogger("test"), clock);

        health.Failed(DependencyHealth.Source, "network", "reset");
        clock.Advance(TimeSpan.FromSeconds(2));
        health.Succeeded(DependencyHealth.Source);
        clock.Advance(TimeSpan.FromSeconds(60));
        health.Tick();

        Assert.Empty(logs.At(LogLevel.Warning));
    }
}
