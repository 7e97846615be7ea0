using MongoDB.Bson;
using MongoDB.Driver;
using Replication.ShardActors;
using Replication.ShardActors.MongoSource;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>A MongoDB source's graceful stop: the copy batch being written when the stop came is finished and checkpointed, not cancelled.</summary>
public sealed class MongoToMongoGracefulStopTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MongoToMongoHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_stop_mid_batch_finishes_the_batch_saves_its_position_and_the_restart_copies_the_rest()
    {
        const int documents = 300;
        await _h.SourceCollection("shop.orders").InsertManyAsync(Enumerable.Range(0, documents).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        // Slow batches (10 documents at 20 documents/s shared by the ranges): a batch is almost always being written.
        var settings = _h.Settings("replication.full-sync.items-per-second=20", "replication.source.mongodb.batch-size=10",
            "replication.source.mongodb.range-documents=100", "replication.filter.include=[\"shop\"]", "replication.mode=full");
        var checkpoints = _h.Checkpoints(settings);

        long savedBeforeStop;
        DrainResult drained;
        await using (var node = await _h.StartNodeAsync(settings))
        {
            var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
            while (true)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "the copy never had a batch in flight after its first batches");
                // Read the saved count first, then see a batch in flight: that batch's documents cannot be in the count.
                savedBeforeStop = (await checkpoints.LoadRangesAsync(1, default)).Sum(r => r.Copied);
                if (savedBeforeStop >= 20 && node.Pipeline.Drain.InFlight > 0) break;
                await Task.Delay(20);
            }
            drained = await node.StopAsync();
        }

        var ranges = await checkpoints.LoadRangesAsync(1, default);
        var saved = ranges.Sum(r => r.Copied);
        var inTarget = await _h.TargetCollection("shop.orders").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        output.WriteLine($"saved before the stop {savedBeforeStop}, after {saved}; in the target {inTarget}; drain {drained}");
        Assert.True(drained.InFlightAtStop >= 1, "no batch was in flight at the stop: the test proves nothing");
        Assert.True(drained.Finished, "the in-flight batches did not finish within the drain timeout");
        Assert.True(saved > savedBeforeStop, "the batch in flight at the stop was not checkpointed");
        Assert.Contains(ranges, r => !r.Done);
        // Every document in the target is covered by a saved position: nothing was written past what the checkpoints say.
        Assert.Equal(saved, inTarget);

        var fast = _h.Settings("replication.source.mongodb.range-documents=100", "replication.filter.include=[\"shop\"]", "replication.mode=full");
        await using (var node = await _h.StartNodeAsync(fast))
        {
            var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(ended.Success, ended.Message);
        }
        await _h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders" });
        Assert.All(await checkpoints.LoadRangesAsync(1, default), r => Assert.True(r.Done));
    }
}
