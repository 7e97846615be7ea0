using System.Net;
using System.Text.Json;
using Replication.Coordinator.Management.Health;

namespace Replication.Tests.Management;

public sealed class HealthEndpointTests : ManagementServerTest
{
    [Theory]
    [InlineData("/alive")]
    [InlineData("/health/alive")]
    public async Task Alive_answers_200_while_the_process_serves(string path)
    {
        var (response, body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alive", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_turns_200_only_once_joined_leases_synced_and_both_databases_answer()
    {
        await AssertNotReady("joined", "leases-synced", "source");
        var (_, body) = await GetJsonAsync("/ready");
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["joined", "leases-synced", "source", "target", "units-running"], checks.Keys);
        Assert.Contains("source ping refused (test)", checks["source"].GetProperty("error").GetString());
        Assert.True(checks["target"].GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, checks["target"].GetProperty("error").ValueKind);

        Readiness.Joined = true;
        await AssertNotReady("leases-synced", "source");
        Readiness.LeasesSynced = true;
        await AssertNotReady("source");
        SourceFailure = null;

        foreach (var path in new[] { "/ready", "/health/ready" })
        {
            var (response, ready) = await GetJsonAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(ready.GetProperty("ready").GetBoolean());
            Assert.Equal("ready", ready.GetProperty("status").GetString());
            Assert.All(ready.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("ok").GetBoolean()));
        }

        TargetFailure = new IOException("target: connection reset (test)");
        await AssertNotReady("target");
    }

    private async Task AssertNotReady(params string[] failing)
    {
        foreach (var path in new[] { "/ready", "/health/ready" })
        {
            var (response, body) = await GetJsonAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.False(body.GetProperty("ready").GetBoolean());
            var failed = body.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("ok").GetBoolean()).ToList();
            Assert.Equal(failing, failed.Select(c => c.GetProperty("name").GetString()));
            Assert.All(failed, c => Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("error").GetString())));
        }
    }

    [Fact]
    public async Task A_ping_that_never_answers_is_cut_off_by_the_check_timeout()
    {
        var hanging = new TaskCompletionSource();
        var readiness = new NodeReadiness(_ => hanging.Task, _ => Task.CompletedTask, checkTimeout: TimeSpan.FromMilliseconds(200)) { Joined = true, LeasesSynced = true };

        var report = await readiness.CheckAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(report.Ready);
        var source = Assert.Single(report.Checks, c => c.Name == "source");
        Assert.False(source.Ok);
        Assert.Contains("no answer within 0.2 s", source.Error);
    }

    [Fact]
    public async Task A_probe_storm_costs_one_ping_per_database_and_results_are_kept_briefly()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var pings = 0;
        var release = new TaskCompletionSource();
        var readiness = new NodeReadiness(async _ => { Interlocked.Increment(ref pings); await release.Task; }, _ => Task.CompletedTask,
            checkTimeout: TimeSpan.FromMinutes(1), cacheFor: TimeSpan.FromSeconds(3), clock: clock);

        var storm = Enumerable.Range(0, 20).Select(_ => readiness.CheckAsync(CancellationToken.None)).ToList();
        release.SetResult();
        var reports = await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, pings);
        Assert.All(reports, r => Assert.True(r.Checks.Single(c => c.Name == "source").Ok));
        clock.Advance(TimeSpan.FromSeconds(2));
        await readiness.CheckAsync(CancellationToken.None);
        Assert.Equal(1, pings);
        clock.Advance(TimeSpan.FromSeconds(2));
        await readiness.CheckAsync(CancellationToken.None);
        Assert.Equal(2, pings);
    }
}
