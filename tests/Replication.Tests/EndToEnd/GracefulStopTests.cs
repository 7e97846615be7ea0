using System.Diagnostics.Metrics;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Metrics;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>Ctrl-C stops gracefully: the page being written when the stop came is finished and its position saved.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class GracefulStopTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private ReplicationHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_stop_mid_page_finishes_the_page_saves_its_position_and_the_restart_reads_exactly_the_rest()
    {
        const int items = 300;
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-drain");
        await new DynamoItemGenerator("pk", seed: 3).PutItemsAsync(_h.Dynamo, table, items);
        // Slow pages (10 items at 20 items/s shared by 2 segments): a page is almost always being written.
        var settings = _h.Settings("replication.full-sync.items-per-second=20", "replication.full-sync.page-size=10", "replication.full-sync.segments=2");
        var store = new CheckpointStore(_h.Client.GetDatabase(settings.CheckpointDatabase));

        long savedBeforeStop;
        Replication.ShardActors.DrainResult drained;
        await using (var node = await _h.StartNodeAsync(settings))
        {
            var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
            while (true)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "the full sync never had a page in flight after its first pages");
                // Read the saved count first, then see a page in flight: that page's items cannot be in the count.
                savedBeforeStop = (await store.GetTableAsync(table))?.FullSync.ItemsWritten ?? 0;
                if (savedBeforeStop >= 20 && node.Services.Drain.InFlight > 0) break;
                await Task.Delay(20);
            }
            drained = await node.StopAsync();
        }

        var stopped = (await store.GetTableAsync(table))!;
        var inTarget = (await _h.Target(settings, table).Find(new BsonDocument()).ToListAsync()).Count;
        output.WriteLine($"saved before the stop {savedBeforeStop}, after {stopped.FullSync.ItemsWritten}; in the target {inTarget}; drain {drained}");
        Assert.True(drained.InFlightAtStop >= 1, "no page was in flight at the stop: the test proves nothing");
        Assert.True(drained.Finished, "the in-flight pages did not finish within the drain timeout");
        Assert.True(stopped.FullSync.ItemsWritten > savedBeforeStop, "the page in flight at the stop was not checkpointed");
        Assert.Equal(FullSyncStatus.Running, stopped.FullSync.Status);
        // Every document in the target is covered by a saved position: nothing was written past what the checkpoints say.
        Assert.Equal(stopped.FullSync.ItemsWritten, inTarget);
        Assert.Equal(stopped.FullSync.ItemsWritten, stopped.FullSync.Segments.Values.Sum(s => s.ItemsWritten));

        long scannedAfterRestart = 0;
        using var listener = TableMetricListener.Start(TableMetricListener.ItemsScanned, table, n => Interlocked.Add(ref scannedAfterRestart, n));
        var fast = _h.Settings("replication.full-sync.segments=2");
        await using (var node = await _h.StartNodeAsync(fast))
        {
            await _h.WaitForFullSyncAsync(node, table);
            await _h.WaitUntilTargetEqualsSourceAsync(fast, table);
        }
        // The saved positions are exact: the restart reads precisely the items that were not yet written.
        Assert.Equal(items - stopped.FullSync.ItemsWritten, Interlocked.Read(ref scannedAfterRestart));
    }
}
