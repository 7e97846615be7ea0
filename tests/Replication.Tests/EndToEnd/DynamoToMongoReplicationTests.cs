using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2.Model;
using Replication.Checkpoints;
using Replication.Metrics;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class DynamoToMongoReplicationTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private ReplicationHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<string> CreateTableAsync(string suffix, int items, string? rangeKey = null)
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + suffix, "pk", rangeKey);
        if (rangeKey is null)
        {
            await new DynamoItemGenerator("pk", seed: items).PutItemsAsync(_h.Dynamo, table, items);
        }
        else
        {
            for (var i = 0; i < items; i++)
                await _h.Dynamo.PutItemAsync(table, CompositeItem(rangeKey, i, version: 0));
        }
        return table;
    }

    private static Dictionary<string, AttributeValue> CompositeItem(string rangeKey, int i, int version) => new()
    {
        ["pk"] = new() { S = $"user-{i % 7}" },
        [rangeKey] = new() { S = $"order-{i:D5}" },
        ["total"] = new() { N = $"{i}.{version}5" },
        ["tags"] = new() { SS = ["a", $"v{version}"] },
    };

    private static Dictionary<string, AttributeValue> Key(string i) => new() { ["pk"] = new() { S = i } };

    /// <summary>Inserts, updates and deletes on a generated table while replication runs.</summary>
    private async Task ChurnAsync(string table, int from, int count)
    {
        var generator = new DynamoItemGenerator("pk", seed: 7);
        for (var i = from; i < from + count; i++)
        {
            switch (i % 3)
            {
                case 0: // update an existing item
                    await _h.Dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = table,
                        Key = Key(DynamoItemGenerator.KeyOf(i % 50)),
                        UpdateExpression = "SET #t = :t, #n = :n",
                        ExpressionAttributeNames = new() { ["#t"] = "text", ["#n"] = "changed" },
                        ExpressionAttributeValues = new() { [":t"] = new() { S = "updated-" + i }, [":n"] = new() { N = i.ToString() } },
                    });
                    break;
                case 1: // insert a new item
                    await _h.Dynamo.PutItemAsync(table, generator.Item(100_000 + i));
                    break;
                default: // delete an existing item
                    await _h.Dynamo.DeleteItemAsync(table, Key(DynamoItemGenerator.KeyOf(50 + i % 50)));
                    break;
            }
        }
    }

    [Fact]
    public async Task Tables_are_copied_and_changes_made_during_the_full_sync_converge()
    {
        var simple = await CreateTableAsync("-simple", 150);
        var composite = await CreateTableAsync("-composite", 60, rangeKey: "sk");
        var settings = _h.Settings();

        await using (var node = await _h.StartNodeAsync(settings))
        {
            await ChurnAsync(simple, 0, 45); // concurrent with the scan
            await _h.Dynamo.PutItemAsync(composite, CompositeItem("sk", 3, version: 9));
            await _h.Dynamo.DeleteItemAsync(composite, new() { ["pk"] = new() { S = "user-5" }, ["sk"] = new() { S = "order-00005" } });

            await _h.WaitForFullSyncAsync(node, simple);
            await _h.WaitForFullSyncAsync(node, composite);
            await ChurnAsync(simple, 45, 30); // after the scan: stream only

            await _h.WaitUntilTargetEqualsSourceAsync(settings, simple);
            await _h.WaitUntilTargetEqualsSourceAsync(settings, composite);
        }

        var target = await _h.TargetAsync(settings, composite);
        Assert.Equal(59, target.Count);
        var first = target.Values.First();
        Assert.IsType<MongoDB.Bson.BsonDocument>(first["_id"]); // composite key → {pk, sk} sub-document
        Assert.Equal(0, await new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase)).CountDeadLettersAsync());
    }

    [Fact]
    public async Task A_node_stopped_mid_full_sync_resumes_its_segments_instead_of_starting_over()
    {
        const int items = 400;
        var table = await CreateTableAsync("-resume", items);
        // Slow enough to be stopped midway on any machine: 400 items at 100 items/s.
        var settings = _h.Settings("replication.full-sync.items-per-second=100", "replication.full-sync.page-size=10");

        await using (var node = await _h.StartNodeAsync(settings))
        {
            var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
            while ((await node.Services.Checkpoints.GetTableAsync(table))?.FullSync.ItemsWritten is not > 60)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "the full sync made no progress");
                await Task.Delay(100);
            }
        } // stopped gracefully (Ctrl-C's drain); ProcessKillTests kill a real process mid-full-sync

        var before = (await new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase)).GetTableAsync(table))!;
        Assert.Equal(FullSyncStatus.Running, before.FullSync.Status);
        await ChurnAsync(table, 0, 12); // changes while the node is down

        long scannedAfterRestart = 0;
        using var listener = TableMetricListener.Start(TableMetricListener.ItemsScanned, table, n => Interlocked.Add(ref scannedAfterRestart, n));
        var fast = _h.Settings();
        await using (var node = await _h.StartNodeAsync(fast))
        {
            await _h.WaitForFullSyncAsync(node, table);
            await _h.WaitUntilTargetEqualsSourceAsync(fast, table);
        }

        output.WriteLine($"items written before the stop: {before.FullSync.ItemsWritten}; scanned after the restart: {scannedAfterRestart}");
        Assert.True(scannedAfterRestart < items, $"the restart read {scannedAfterRestart} items of a {items}-item table: segments did not resume");
        Assert.True(scannedAfterRestart >= items - before.FullSync.ItemsWritten - 20, "the restart cannot have read less than what was left");
    }

    [Fact]
    public async Task A_node_stopped_mid_incremental_loses_no_update_when_it_restarts()
    {
        var table = await CreateTableAsync("-incr", 40);
        var settings = _h.Settings();

        await using (var node = await _h.StartNodeAsync(settings))
        {
            await _h.WaitForFullSyncAsync(node, table);
            await ChurnAsync(table, 0, 15);
            await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
            await ChurnAsync(table, 15, 15); // some of these are applied, some not, when the node stops
        }

        await ChurnAsync(table, 30, 15); // while it is down
        var shardsBefore = await new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase)).ListShardsAsync(table);

        await using (var node = await _h.StartNodeAsync(settings))
        {
            await _h.WaitUntilTargetEqualsSourceAsync(settings, table);
            var table2 = await node.Services.Checkpoints.GetTableAsync(table);
            Assert.Equal(FullSyncStatus.Done, table2!.FullSync.Status); // straight to incremental, no second full sync
        }

        var shardsAfter = await new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase)).ListShardsAsync(table);
        foreach (var before in shardsBefore.Where(s => s.SequenceNumber is not null))
        {
            var after = shardsAfter.Single(s => s.ShardId == before.ShardId);
            Assert.True(after.SequenceNumber >= before.SequenceNumber, $"shard {before.ShardId}'s checkpoint went backwards");
        }
    }
}
