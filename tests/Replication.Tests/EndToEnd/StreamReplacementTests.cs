using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Coordinator.Hosting;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>A table's stream turned off and on again under a running replication, on DynamoDB Local.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class StreamReplacementTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private ReplicationHarness _h = null!;
    private readonly CapturedLogs _logs = new();

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Writes_made_while_the_stream_was_off_reach_the_target_through_a_resync_on_the_new_stream()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-replaced");
        await _h.Dynamo.PutItemAsync(table, Item("before"));
        var settings = _h.Settings();
        var checkpoints = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));
        await using var node = await ReplicationNode.StartAsync(settings, LoggerFactory.Create(b => b
            .AddProvider(new TestOutputLoggerProvider(output)).AddProvider(_logs).SetMinimumLevel(LogLevel.Information)));
        await _h.WaitForFullSyncAsync(node, table);
        var oldStream = (await checkpoints.GetTableAsync(table))!.StreamArn;

        await _h.Dynamo.UpdateTableAsync(new UpdateTableRequest { TableName = table, StreamSpecification = new StreamSpecification { StreamEnabled = false } });
        // In no stream: the old one is off, and the node has not enabled a new one yet.
        await _h.Dynamo.PutItemAsync(table, Item("between"));
        await _h.Dynamo.DeleteItemAsync(table, new() { ["pk"] = new() { S = "before" } });

        await Replication.Tests.ShardActors.ShardTreeHarness.WaitUntilAsync(async () => await checkpoints.GetTableAsync(table) is { Generation: 1, FullSync.Status: FullSyncStatus.Done } t
            && t.StreamArn != oldStream, "the table was re-synced on a new stream", TimeSpan.FromMinutes(3));
        await _h.Dynamo.PutItemAsync(table, Item("after"));
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
        Assert.Contains(_logs.Lines, l => l.Text.Contains("stream was replaced") && l.Text.Contains(table));
    }

    private static Dictionary<string, AttributeValue> Item(string pk) => new() { ["pk"] = new() { S = pk }, ["n"] = new() { N = "1" } };
}
