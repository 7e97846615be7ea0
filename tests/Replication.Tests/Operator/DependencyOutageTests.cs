using Replication.Testing;
using Replication.Testing.InMemoryMongo.Wire;
using Replication.Testing.SyntheticDynamo;

namespace Replication.Tests.Operator;

/// <summary>
/// A running `replication run` whose target MongoDB stalls behind a proxy: the outage is logged at warning with its
/// cause, counted in replication_errors_total{dependency,kind}, logged again when it ends, and a stop during it still
/// ends within the drain timeout plus the hand-back allowance.
/// </summary>
public sealed class DependencyOutageTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "replication-outage-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _port = ChildProcesses.FreePort();
    private InMemoryMongoServer _mongo = null!;
    private StallingProxy _proxy = null!;
    private SyntheticDynamoServer _dynamo = null!;
    private NodeProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _mongo = new InMemoryMongoServer();
        _proxy = new StallingProxy(_mongo.Port);
        _dynamo = await SyntheticDynamoServer.StartAsync(new SyntheticTable("Orders", 100_000));
        var config = Path.Combine(_folder, "node.conf");
        File.WriteAllText(config, $$"""
            replication {
              id = outage-test
              mode = full
              source.dynamodb {
                endpoint = "{{_dynamo.ServiceUrl}}"
                credentials { access-key-id = AKIAOUTAGE, secret-access-key = outage }
              }
              target.mongodb.uri = "mongodb://127.0.0.1:{{_proxy.Port}}/?directConnection=true"
              full-sync { segments = 2, page-size = 10, items-per-second = 20 }
              management.http.port = {{_port}}
              drain-timeout = 2s
            }
            """);
        _node = NodeProcess.Start("run", "--config", config);
        await _node.WaitForLineAsync(l => l.Contains("running as node"), TimeSpan.FromSeconds(90));
        await _node.WaitForLineAsync(l => l.Contains("table Orders: full-sync") && !l.Contains(" 0 of"), TimeSpan.FromSeconds(90));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _proxy.Resume();
        _http?.Dispose();
        await _node.DisposeAsync();
        _proxy.Dispose();
        await _dynamo.DisposeAsync();
        await _mongo.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_stalled_target_is_logged_counted_and_its_recovery_logged()
    {
        _proxy.Stall();

        var warning = await _node.WaitForLineAsync(l => l.Contains("mongodb-target down for"), TimeSpan.FromSeconds(60));
        Assert.Contains("retrying", warning);
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("replication_errors_total{", StringComparison.Ordinal)
                                                  && l.Contains("dependency=\"mongodb-target\"") && l.Contains("kind=\"timeout\""));

        _proxy.Resume();

        await _node.WaitForLineAsync(l => l.Contains("mongodb-target is reachable again"), TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(" DEBUG", _node.Output);
        Assert.DoesNotContain("   at ", _node.Output);
    }

    [Fact]
    public async Task SIGTERM_during_a_stalled_target_stops_within_the_drain_timeout_and_the_hand_back_allowance()
    {
        _proxy.Stall();
        await _node.WaitForLineAsync(l => l.Contains("mongodb-target down for"), TimeSpan.FromSeconds(60));

        _node.Signal(NodeProcess.SigTerm);

        // drain-timeout 2 s + 10 s to hand back and stop; before, a stop waited up to 45 s. Generous for a loaded machine.
        Assert.True(await _node.WaitForExitAsync(TimeSpan.FromSeconds(35)), $"the node did not stop within 35 s of SIGTERM:\n{_node.Output}");
    }
}
