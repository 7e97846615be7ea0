using System.Net;
using System.Net.Sockets;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo.Conversion;
using Replication.Tests.Cli;

namespace Replication.Tests.Management;

/// <summary><c>replication status</c>, run as the real executable against a running management server.</summary>
public sealed class StatusCommandTests : ManagementServerTest
{
    [Fact]
    public async Task Status_prints_members_leases_per_node_and_table_progress()
    {
        await Checkpoints.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/Orders", "NEW_AND_OLD_IMAGES", 1000));
        await Checkpoints.BeginFullSyncAsync("Orders", 0, totalSegments: 2);
        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 0, null, 250);

        var result = await ReplicationCli.RunAsync("status", "--url", Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.DoesNotContain("\u001b[", result.Output);
        var lines = result.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("node-a") && l.Contains("Up") && l.Contains("self, leader, coordinator"));
        Assert.Contains(lines, l => l.Contains("node-b") && l.Contains("oldest"));
        Assert.Contains(lines, l => l.Contains("node-c") && l.Contains(" no "));
        Assert.Contains("leases per node", result.Output);
        Assert.Contains(lines, l => l.Contains("(free or expired)") && l.Contains(" 2 "));
        Assert.Contains("progress: RUNNING, collection copy", result.Output);
        Assert.Contains(lines, l => l.Contains("Orders") && l.Contains("full-sync") && l.Contains("250 / ~1,000") && l.Contains("1/2"));
    }

    [Fact]
    public async Task Status_prints_the_units_each_member_holds_in_a_cluster()
    {
        await Checkpoints.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/Orders", "NEW_AND_OLD_IMAGES", 1000));
        await Checkpoints.BeginFullSyncAsync("Orders", 0, totalSegments: 3);
        var leases = new LeaseTable(CheckpointDatabase, Clock);
        foreach (var (unit, owner) in (await leases.ListAsync()).OrderBy(u => u.Key.Id, StringComparer.Ordinal).Zip(["node-a", "node-b", "node-b"]))
            Assert.NotNull(await leases.TryAcquireAsync(unit, owner, TimeSpan.FromSeconds(10), steal: false));

        var result = await ReplicationCli.RunAsync("status", "--url", Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.Contains("work per member", result.Output);
        var lines = result.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("node-a") && l.Contains("│ 1 ") && l.Contains("│ 0 "));
        Assert.Contains(lines, l => l.Contains("node-b") && l.Contains("│ 2 ") && l.Contains("│ 0 "));
    }

    [Fact]
    public async Task Status_and_progress_show_a_shard_stopped_after_repeated_failures_with_its_error_and_position()
    {
        await Checkpoints.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), "arn:stream/Orders", "NEW_AND_OLD_IMAGES", 1000));
        await Checkpoints.RegisterShardAsync("Orders", "arn:stream/Orders", "shardId-0001", null, Replication.Checkpoints.ShardStatus.Processing);
        await Checkpoints.MarkShardFailedAsync("Orders", "shardId-0001",
            new UnitFailure("not authorized on dynamodb to execute command", "4900000000000000000001", 10, DateTimeOffset.UtcNow));

        var progress = await Http.GetStringAsync("/progress");
        var result = await ReplicationCli.RunAsync("status", "--url", Server.BaseAddress.ToString());

        var failed = Assert.Single(System.Text.Json.JsonDocument.Parse(progress).RootElement.GetProperty("progress").GetProperty("tables")[0].GetProperty("failedUnits").EnumerateArray());
        Assert.Equal("shard shardId-0001", failed.GetProperty("unit").GetString());
        Assert.Equal("4900000000000000000001", failed.GetProperty("position").GetString());
        Assert.Equal(10, failed.GetProperty("restarts").GetInt32());
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.Contains("stopped after repeated failures", result.Output);
        Assert.Contains(result.Output.Split('\n'), l => l.Contains("Orders") && l.Contains("shard shardId-0001") && l.Contains("4900000000000000000001") && l.Contains(" 10 "));
    }

    [Fact]
    public async Task Status_against_an_unreachable_url_fails_with_a_clear_error()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await ReplicationCli.RunAsync("status", "--url", $"http://127.0.0.1:{port}");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"error: cannot reach http://127.0.0.1:{port}/", result.Error);
    }
}
