using Replication.ShardActors.MongoSource;
using Replication.Tests.Cli;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>`replication checkpoints list|reset` (the real executable) for a MongoDB source.</summary>
public sealed class MongoCheckpointsCommandTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MongoToMongoHarness _h = null!;
    private string _configFile = null!;

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        _configFile = Path.Combine(Path.GetTempPath(), $"{_h.Id}.conf");
        File.WriteAllText(_configFile, "replication { }\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        File.Delete(_configFile);
    }

    [Fact]
    public async Task List_shows_the_phase_the_namespaces_and_the_streams_and_reset_forgets_the_whole_run()
    {
        await MongoToMongoReplicationTests.SeedAsync(_h, orders: 50);
        string[] overrides = ["replication.mode=full", "replication.filter.include=[\"shop.orders\", \"shop.customers\"]"];
        var settings = _h.Settings(overrides);
        await using (var node = await _h.StartNodeAsync(settings))
        {
            Assert.True((await node.Completion.WaitAsync(TimeSpan.FromMinutes(2))).Success);
        }

        var list = await CliAsync(["checkpoints", "list"], overrides);
        Assert.True(list.ExitCode == 0, $"exit code {list.ExitCode}; stderr: {list.Error}");
        output.WriteLine(list.Output);
        Assert.Contains("phase Done, generation 1", list.Output);
        Assert.Contains(list.Output.Split('\n'), l => l.StartsWith("shop.orders → shop.orders: Done") && l.Contains("ranges done 1/1"));
        Assert.Contains(list.Output.Split('\n'), l => l.StartsWith("shop.customers") && l.Contains("120 of ~120 documents"));
        Assert.Contains(list.Output.Split('\n'), l => l.StartsWith($"change stream {ChangeStreams.ClusterUnit}:") && l.Contains("resume token { \"_data\""));

        var unconfirmed = await CliAsync(["checkpoints", "reset"], overrides);
        Assert.NotEqual(0, unconfirmed.ExitCode);
        var oneTable = await CliAsync(["checkpoints", "reset", "--table", "shop.orders", "--yes"], overrides);
        Assert.NotEqual(0, oneTable.ExitCode);
        Assert.Contains("reset as a whole", oneTable.Error);
        Assert.NotNull(await _h.Checkpoints(settings).LoadStateAsync(default));

        var reset = await CliAsync(["checkpoints", "reset", "--yes"], overrides);
        Assert.True(reset.ExitCode == 0, $"exit code {reset.ExitCode}; stderr: {reset.Error}");
        Assert.Null(await _h.Checkpoints(settings).LoadStateAsync(default));
        Assert.Empty(await _h.Checkpoints(settings).LoadRangesAsync(1, default));
        Assert.Empty(await _h.Checkpoints(settings).LoadStreamsAsync(1, default));
        Assert.Contains("no checkpoints", (await CliAsync(["checkpoints", "list"], overrides)).Output);
    }

    private Task<ReplicationCli.Result> CliAsync(string[] command, string[] overrides) =>
        ReplicationCli.RunAsync([.. command, "--config", _configFile, .. _h.SettingOverrides(overrides).SelectMany(o => new[] { "--set", o })]);
}
