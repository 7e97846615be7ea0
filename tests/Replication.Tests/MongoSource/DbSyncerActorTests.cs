using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Metrics;
using Replication.ShardActors;
using Replication.ShardActors.MongoSource;
using Replication.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// The DB-syncer actors under Akka's supervision, on virtual time (TestScheduler): a range whose writes the target
/// refuses is restarted, tries again only after its back-off, and resumes from its checkpoint; the copy then ends.
/// </summary>
public sealed class DbSyncerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _output;

    public DbSyncerActorTests(ITestOutputHelper output) : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"", output) =>
        _output = output;

    [Fact]
    public async Task A_range_the_target_refused_retries_only_after_its_back_off_and_the_copy_then_completes()
    {
        var scheduler = (TestScheduler)Sys.Scheduler;
        await using var h = new MongoToMongoHarness(_output);
        await h.SourceCollection("shop.orders").InsertManyAsync(Enumerable.Range(0, 250).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        var settings = h.Settings("replication.source.mongodb.range-documents=100", "replication.source.mongodb.copiers=2");
        var loggers = LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(_output)));
        var checkpoints = h.Checkpoints(settings);
        var map = new NamespaceMap(settings.Filter.Include, settings.Filter.Exclude, settings.Renames);
        using var metrics = new ReplicationMetrics();
        var preparer = new TargetPreparer(h.Source, h.Target, checkpoints, metrics, loggers.CreateLogger<TargetPreparer>());
        var restarts = new RestartLedger(0, TimeProvider.System);
        var services = new DbSyncerServices(
            new CollectionPlanner(h.Source, h.Target, checkpoints, preparer, map, settings.MongoSource, 1, false, loggers.CreateLogger<CollectionPlanner>()),
            new RangeCopier(h.Source, h.Target, checkpoints,
                new MongoDeadLetters(h.Target.GetDatabase(settings.CheckpointDatabase).GetCollection<BsonDocument>(settings.DeadLetterCollection), metrics,
                    loggers.CreateLogger<MongoDeadLetters>()), null, 1, settings.MongoSource.BatchSize, new WorkDrain()), preparer, checkpoints, settings.MongoSource, 1, metrics,
            restarts, loggers);

        // Every write to the target collection is refused, and each attempt is stamped with the virtual time it reached the target.
        var attempts = new List<DateTimeOffset>();
        h.TargetServer.Holds.Hold((database, command) =>
        {
            if (database == "shop" && command.GetElement(0) is { Name: "update", Value: BsonString { Value: "orders" } })
                lock (attempts) attempts.Add(scheduler.Now);
            return false;
        });
        h.TargetServer.Engine.Instance.WriteRefusals.Refuse("shop", "orders");

        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(DbSyncersActor.Props(services, [new CollectionToCopy(new CollectionNamespace("shop", "orders"), new BsonDocument("name", "orders"))], 2,
            () => finished.TrySetResult()));
        var firstRange = new RangeCheckpoint("", "shop.orders", "shop.orders", 1, 0, BsonMinKey.Value, BsonMaxKey.Value, null, 0, false);
        await AwaitConditionAsync(() => Task.FromResult(restarts.RestartsInARow(RangeCopierActor.UnitOf(firstRange)) == 1), TimeSpan.FromSeconds(60));
        var failedAt = scheduler.Now;

        // Virtual time stands still, so no back-off can have run out: nothing was copied and the copy is not over.
        Assert.False(finished.Task.IsCompleted);
        Assert.Equal(0, await h.TargetCollection("shop.orders").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        h.TargetServer.Engine.Instance.WriteRefusals.Allow("shop", "orders");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!finished.Task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the copy did not finish after the back-off");
            scheduler.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(finished.Task, Task.Delay(20));
        }

        DateTimeOffset[] stamped;
        lock (attempts) stamped = [.. attempts];
        // Ranges 0 and 1 (two copiers) each tried once while time stood still; every later try waited for its back-off.
        Assert.InRange(stamped.Count(t => t <= failedAt), 1, 2);
        var retries = stamped.Where(t => t > failedAt).ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, t => Assert.True(t - failedAt >= RestartBackoff.Workers.Min,
            $"a range wrote again {(t - failedAt).TotalMilliseconds:F0} ms (virtual) after it failed, before its back-off of {RestartBackoff.Workers.Min}"));
        Assert.Equal(250, await h.TargetCollection("shop.orders").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        var ranges = await checkpoints.LoadRangesAsync(1, default);
        Assert.Equal(3, ranges.Count);
        Assert.All(ranges, r => Assert.True(r.Done));
        Assert.True((await checkpoints.LoadCollectionsAsync(1, default)).Single().Done);
    }
}
