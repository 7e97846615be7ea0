using System.Net.Http.Json;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.ShardActors.MongoSource;
using Replication.Tests.Cli;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>A MongoDB source seen from outside, as for DynamoDB: /progress, /metrics and `replication status`.</summary>
public sealed class MongoToMongoObservabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MongoToMongoHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Progress_metrics_and_status_report_the_copy_and_the_change_events_per_namespace()
    {
        await MongoToMongoReplicationTests.SeedAsync(_h, orders: 700);
        var settings = _h.Settings("replication.source.mongodb.range-documents=300", "replication.filter.include=[\"shop\"]",
            "replication.filter.exclude=[\"shop.audit\"]");
        await using var node = await _h.StartNodeAsync(settings);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 1);
        await _h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders", ["shop.customers"] = "shop.customers" });

        using var http = new HttpClient { BaseAddress = node.Management.BaseAddress };
        JsonElement progress = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        do
        {
            progress = (await http.GetFromJsonAsync<JsonElement>("progress")).GetProperty("progress");
            if (progress.GetProperty("totalEventsApplied").GetInt64() >= 80) break;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal("RUNNING", progress.GetProperty("state").GetString());
        Assert.Equal("change event application", progress.GetProperty("info").GetString());
        Assert.True(progress.GetProperty("lagTimeSeconds").GetInt64() >= 0);
        var tables = progress.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!);
        Assert.Equal(["shop.customers", "shop.orders"], tables.Keys.Order());
        var orders = tables["shop.orders"];
        Assert.Equal("incremental", orders.GetProperty("phase").GetString());
        Assert.Equal("shop.orders", orders.GetProperty("collection").GetString());
        var fullSync = orders.GetProperty("fullSync");
        Assert.Equal("Done", fullSync.GetProperty("status").GetString());
        Assert.True(fullSync.GetProperty("itemsWritten").GetInt64() >= 700);
        Assert.Equal(3, fullSync.GetProperty("totalSegments").GetInt32());
        Assert.Equal(3, fullSync.GetProperty("segmentsDone").GetInt32());
        Assert.Equal(60, orders.GetProperty("eventsApplied").GetInt64());
        var stream = Assert.Single(progress.GetProperty("changeStreams").EnumerateArray());
        Assert.Equal(("cluster", "Following"), (stream.GetProperty("unit").GetString(), stream.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, stream.GetProperty("owner").ValueKind); // one node, no lease
        Assert.True(stream.GetProperty("eventsApplied").GetInt64() >= 80);

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("replication_fullsync_items_written", metrics);
        Assert.Contains("table=\"shop.orders\"", metrics);
        Assert.Contains("replication_incremental_records_applied", metrics);

        var status = await ReplicationCli.RunAsync("status", "--url", node.Management.BaseAddress.ToString());
        Assert.True(status.ExitCode == 0, $"exit code {status.ExitCode}; stderr: {status.Error}; stdout: {status.Output}");
        Assert.Contains("progress: RUNNING, change event application", status.Output);
        Assert.Contains(status.Output.Split('\n'), l => l.Contains("shop.orders") && l.Contains("incremental"));
        Assert.Contains("change streams", status.Output);
        Assert.Contains(status.Output.Split('\n'), l => l.Contains("cluster") && l.Contains("Following"));
    }

    [Fact]
    public async Task An_index_the_target_refuses_is_reported_in_progress_and_counted_in_metrics_while_the_copy_goes_on()
    {
        await MongoToMongoReplicationTests.SeedAsync(_h, orders: 50);
        // The target was prepared by hand with another index under the source's index name: MongoDB refuses the source's (code 86).
        await _h.TargetCollection("shop.orders").Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("legacy", 1), new CreateIndexOptions { Name = "sku_1" }));
        var settings = _h.Settings("replication.mode=full", "replication.filter.include=[\"shop.orders\"]");
        await using var node = await _h.StartNodeAsync(settings);
        var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(ended.Success, ended.Message);
        await _h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders" });

        using var http = new HttpClient { BaseAddress = node.Management.BaseAddress };
        var progress = (await http.GetFromJsonAsync<JsonElement>("progress")).GetProperty("progress");
        var orders = Assert.Single(progress.GetProperty("tables").EnumerateArray());
        var problem = Assert.Single(orders.GetProperty("targetProblems").EnumerateArray());
        Assert.Equal("index", problem.GetProperty("kind").GetString());
        Assert.Contains("sku_1", problem.GetProperty("what").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("error").GetString()));
        // The other indexes were built all the same.
        var built = await (await _h.TargetCollection("shop.orders").Indexes.ListAsync()).ToListAsync();
        Assert.Contains(built, i => i["key"].AsBsonDocument.Contains("coupon"));

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("replication_errors") && l.Contains("kind=\"target-index\"") && l.Contains("table=\"shop.orders\""));
    }
}
