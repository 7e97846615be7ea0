using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Health;
using Replication.Hocon;
using Replication.Metrics;
using Replication.MongoAccess;
using Replication.Tests.EndToEnd;

namespace Replication.Tests.Management;

public sealed class ManagementServerBehaviourTests : ManagementServerTest
{
    [Fact]
    public async Task Port_zero_binds_a_free_loopback_port_and_reports_it()
    {
        Assert.True(Server.IsServing);
        Assert.Equal("127.0.0.1", Server.BaseAddress.Host);
        Assert.NotEqual(0, Server.Port);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/alive")).StatusCode);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/cluster")]
    [InlineData("/metrics.txt")]
    public async Task An_unknown_path_is_a_json_404(string path)
    {
        var (response, body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(path, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_port_in_use_fails_start_with_the_setting_to_change()
    {
        await using var second = new ManagementServer(new ManagementSettings(true, "127.0.0.1", Server.Port), Context(Checkpoints), NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<IOException>(() => second.StartAsync());

        Assert.Contains("replication.management.http.port", error.Message);
        Assert.False(second.IsServing);
    }

    [Fact]
    public async Task A_disabled_server_binds_nothing()
    {
        await using var disabled = new ManagementServer(new ManagementSettings(false, "127.0.0.1", 0), Context(Checkpoints), NullLoggerFactory.Instance);

        await disabled.StartAsync();

        Assert.False(disabled.IsServing);
        Assert.Throws<InvalidOperationException>(() => disabled.BaseAddress);
    }

    [Fact]
    public async Task When_the_checkpoint_database_is_down_progress_is_a_503_naming_it_and_the_rest_still_answers()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var gone = MongoClientFactory.Create($"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=500&connectTimeoutMS=500");
        await using var server = new ManagementServer(new ManagementSettings(true, "localhost", 0), Context(new CheckpointStore(gone.GetDatabase("x"))), NullLoggerFactory.Instance);
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var response = await http.GetAsync("/progress");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("checkpoint database unavailable", text);
        Assert.Contains("\"dependency\": \"checkpoint database\"", text);
        Assert.DoesNotContain(" at Replication.", text);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task The_server_logs_its_address_and_its_failures_but_not_kestrels_chatter()
    {
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var cluster = FixedClusterView.FourNodes(DateTimeOffset.UtcNow);
        cluster.Failure = new InvalidOperationException("nodes collection unreadable (test)");
        await using (var server = new ManagementServer(new ManagementSettings(true, "127.0.0.1", 0), Context(Checkpoints) with { Cluster = cluster }, loggers))
        {
            await server.StartAsync();
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nope")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/cluster/members")).StatusCode);
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Text == $"management endpoints on {server.BaseAddress}");
        }

        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("cluster view unavailable: nodes collection unreadable (test)"));
        var chatter = logs.Lines.Where(l => l.Category.StartsWith("Microsoft.", StringComparison.Ordinal)).ToList();
        Assert.True(chatter.Count == 0, string.Join("\n", chatter));
    }

    private ManagementContext Context(CheckpointStore checkpoints) =>
        new(Cluster, checkpoints, new ReplicationMetrics(), HoconConfig.ParseString("replication { id = other }"),
            new NodeReadiness(_ => Task.CompletedTask, _ => Task.CompletedTask));
}
