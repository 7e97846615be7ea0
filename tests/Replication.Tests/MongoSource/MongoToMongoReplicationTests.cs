using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.ShardActors.MongoSource;
using Replication.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>MongoDB → MongoDB end to end, in-process node, two in-memory servers: copy, changes during the copy, incremental.</summary>
public sealed class MongoToMongoReplicationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MongoToMongoHarness _h = null!;

    private static readonly Dictionary<string, string> Namespaces = new()
    {
        ["shop.orders"] = "shop.orders",
        ["shop.customers"] = "crm.clients",
        ["inventory.items"] = "inventory.items",
    };

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("full-document")]
    [InlineData("operator")]
    public async Task Full_sync_with_changes_during_the_copy_then_incremental_leaves_target_equal_to_source(string updates)
    {
        await SeedAsync(_h, orders: 1500);
        var settings = _h.Settings(
            $"replication.source.mongodb.updates={updates}",
            "replication.source.mongodb.range-documents=400",
            "replication.full-sync.items-per-second=500",
            "replication.filter.exclude=[\"other\", \"shop.audit*\"]",
            "replication.transform.rename.\"shop.customers\"=\"crm.clients\"");
        await using var node = await _h.StartNodeAsync(settings);

        // Changes made while the copy runs: they must all arrive, whichever side of the copy's cursor they land on.
        var orders = _h.SourceCollection("shop.orders");
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Copying);
        await MutateAsync(_h, round: 1);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);
        await MutateAsync(_h, round: 2);

        await _h.WaitUntilEqualAsync(Namespaces);
        var ranges = await _h.Checkpoints(settings).LoadRangesAsync(1, default);
        Assert.True(ranges.Count(r => r.Namespace == "shop.orders") >= 3, "shop.orders should be split into _id ranges");
        Assert.All(ranges, r => Assert.True(r.Done));
        Assert.DoesNotContain("other", await (await _h.Target.ListDatabaseNamesAsync()).ToListAsync());
        Assert.DoesNotContain("audit", await (await _h.Target.GetDatabase("shop").ListCollectionNamesAsync()).ToListAsync());

        // Indexes with their options, built after the copy.
        var indexes = await (await _h.TargetCollection("shop.orders").Indexes.ListAsync()).ToListAsync();
        var byName = indexes.ToDictionary(i => i["name"].AsString);
        Assert.True(byName["sku_1"]["unique"].ToBoolean());
        Assert.Equal(new BsonDocument { { "customer", 1 }, { "at", -1 } }, byName["customer_1_at_-1"]["key"].AsBsonDocument);
        Assert.Equal(3600, byName["at_1"]["expireAfterSeconds"].ToInt32());
        Assert.True(byName["coupon_1"]["sparse"].ToBoolean());
        Assert.Equal(new BsonDocument("total", new BsonDocument("$gt", 100)), byName["total_1"]["partialFilterExpression"].AsBsonDocument);
        GC.KeepAlive(orders);
    }

    [Fact]
    public async Task Ddl_events_are_applied_to_the_renamed_target_namespaces()
    {
        await SeedAsync(_h, orders: 50);
        var settings = _h.Settings("replication.transform.rename.shop=\"shop2\"", "replication.filter.exclude=[\"other\"]");
        await using var node = await _h.StartNodeAsync(settings);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);

        var shop = _h.Source.GetDatabase("shop");
        await shop.CreateCollectionAsync("events", new CreateCollectionOptions { Capped = true, MaxSize = 1 << 20 });
        await shop.GetCollection<BsonDocument>("events").InsertOneAsync(new BsonDocument("_id", 1));
        await shop.GetCollection<BsonDocument>("customers").Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("name", 1), new CreateIndexOptions { Unique = true, Name = "name_unique" }));
        await shop.GetCollection<BsonDocument>("orders").Indexes.DropOneAsync("coupon_1");
        await shop.RenameCollectionAsync("customers", "clients");
        await shop.GetCollection<BsonDocument>("clients").InsertOneAsync(new BsonDocument { { "_id", 1000 }, { "name", "renamed-insert" } });
        await shop.DropCollectionAsync("events");
        await _h.Source.DropDatabaseAsync("inventory");
        await _h.SourceCollection("shop.after").InsertOneAsync(new BsonDocument("_id", "marker"));

        await WaitForAsync(async () => await _h.TargetCollection("shop2.after").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 1);
        var target = _h.Target.GetDatabase("shop2");
        var collections = await (await target.ListCollectionNamesAsync()).ToListAsync();
        Assert.Contains("clients", collections);
        Assert.DoesNotContain("customers", collections);
        Assert.DoesNotContain("events", collections);
        Assert.DoesNotContain("inventory", await (await _h.Target.ListDatabaseNamesAsync()).ToListAsync());
        var clientIndexes = await (await target.GetCollection<BsonDocument>("clients").Indexes.ListAsync()).ToListAsync();
        Assert.Contains(clientIndexes, i => i["name"] == "name_unique" && i["unique"].ToBoolean());
        var orderIndexes = await (await target.GetCollection<BsonDocument>("orders").Indexes.ListAsync()).ToListAsync();
        Assert.DoesNotContain(orderIndexes, i => i["name"] == "coupon_1");
        await _h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.clients"] = "shop2.clients", ["shop.orders"] = "shop2.orders" });
    }

    [Fact]
    public async Task With_ddl_report_a_drop_is_logged_and_not_applied()
    {
        await SeedAsync(_h, orders: 20);
        var settings = _h.Settings("replication.source.mongodb.ddl=report");
        await using var node = await _h.StartNodeAsync(settings);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);
        await _h.Source.GetDatabase("shop").DropCollectionAsync("customers");
        await _h.SourceCollection("shop.after").InsertOneAsync(new BsonDocument("_id", "marker"));
        await WaitForAsync(async () => await _h.TargetCollection("shop.after").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 1);
        Assert.Equal(120, await _h.TargetCollection("shop.customers").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task On_a_source_older_than_MongoDB_6_0_the_streams_run_without_expanded_events_and_the_unobservable_ddl_is_reported()
    {
        // Wire version 13 is MongoDB 5.0: it refuses showExpandedEvents, and its streams never show createIndexes.
        await using var h = new MongoToMongoHarness(output, sourceWireVersion: 13);
        await SeedAsync(h, orders: 30);
        var logs = new CapturedLogs();
        var settings = h.Settings("replication.filter.include=[\"shop.orders\", \"shop.customers\"]");
        await using var node = await h.StartNodeAsync(settings, logs);
        await h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);
        await logs.WaitForAsync(LogLevel.Warning, l => l.Contains("older than MongoDB 6.0") && l.Contains("createIndexes"), "saying which DDL is not observable");

        await h.SourceCollection("shop.customers").Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("name", 1), new CreateIndexOptions { Name = "after_start" }));
        await MutateAsync(h, round: 1);
        await h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders", ["shop.customers"] = "shop.customers" });
        var indexes = await (await h.TargetCollection("shop.customers").Indexes.ListAsync()).ToListAsync();
        Assert.DoesNotContain(indexes, i => i["name"].AsString == "after_start");
    }

    [Theory]
    [InlineData("resync")]
    [InlineData("stop")]
    public async Task A_resume_point_rolled_out_of_the_oplog_during_the_copy_is_detected_and_handled_by_policy(string policy)
    {
        await using var h = new MongoToMongoHarness(output, changeLogCapacity: 200);
        await SeedAsync(h, orders: 600);
        var settings = h.Settings($"replication.incremental.on-trimmed-data={policy}", "replication.full-sync.items-per-second=300",
            "replication.filter.include=[\"shop.orders\"]");
        await using var node = await h.StartNodeAsync(settings);
        await h.WaitForPhaseAsync(settings, MongoSyncPhase.Copying);
        // More changes than the source's change log keeps, while the copy runs: the start position falls out of it.
        var orders = h.SourceCollection("shop.orders");
        for (var i = 0; i < 400; i++) await orders.UpdateOneAsync(new BsonDocument("sku", $"sku-{i}"), new BsonDocument("$set", new BsonDocument("gap", i)));
        await orders.DeleteOneAsync(new BsonDocument("sku", "sku-1"));

        if (policy == "stop")
        {
            var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.False(ended.Success);
            Assert.Contains("oplog", ended.Message);
            Assert.Contains("on-trimmed-data", ended.Message);
            return;
        }
        await WaitForAsync(async () => (await h.Checkpoints(settings).LoadStateAsync(default)) is { Generation: 2, Phase: MongoSyncPhase.Incremental });
        await orders.InsertOneAsync(new BsonDocument { { "_id", "after-resync" }, { "sku", "after" } });
        await h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders" });
    }

    [Fact]
    public async Task A_copy_made_in_mode_full_then_run_in_mode_all_applies_the_changes_made_since_its_start_without_copying_again()
    {
        await using var h = new MongoToMongoHarness(output);
        await SeedAsync(h, orders: 80);
        var full = h.Settings("replication.mode=full", "replication.filter.include=[\"shop\"]");
        await using (var node = await h.StartNodeAsync(full))
        {
            var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(ended.Success, ended.Message);
        }
        var copied = (await h.Checkpoints(full).LoadRangesAsync(1, default)).Sum(r => r.Copied);

        // The source changes while nothing runs; then the same replication runs in mode all.
        await MutateAsync(h, round: 1);
        var all = h.Settings("replication.filter.include=[\"shop\"]");
        await using var next = await h.StartNodeAsync(all);
        await h.WaitUntilEqualAsync(new Dictionary<string, string> { ["shop.orders"] = "shop.orders", ["shop.customers"] = "shop.customers" });
        Assert.Equal((1, MongoSyncPhase.Incremental), (await h.Checkpoints(all).LoadStateAsync(default)) is { } state ? (state.Generation, state.Phase) : default);
        Assert.Equal(copied, (await h.Checkpoints(all).LoadRangesAsync(1, default)).Sum(r => r.Copied));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition was not met in time");
            await Task.Delay(100);
        }
    }

    /// <summary>Orders with _ids of several BSON types (numbers, strings, ObjectIds), customers, and namespaces the filter leaves out.</summary>
    internal static async Task SeedAsync(MongoToMongoHarness h, int orders)
    {
        var collection = h.SourceCollection("shop.orders");
        await collection.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(new BsonDocument("sku", 1), new CreateIndexOptions { Unique = true }),
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "customer", 1 }, { "at", -1 } }),
            new CreateIndexModel<BsonDocument>(new BsonDocument("at", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.FromHours(1) }),
            new CreateIndexModel<BsonDocument>(new BsonDocument("coupon", 1), new CreateIndexOptions { Sparse = true }),
            new CreateIndexModel<BsonDocument>(new BsonDocument("total", 1),
                new CreateIndexOptions<BsonDocument> { PartialFilterExpression = new BsonDocument("total", new BsonDocument("$gt", 100)) }),
        ]);
        var docs = Enumerable.Range(0, orders).Select(i => new BsonDocument
        {
            { "_id", (i % 3) switch { 0 => (BsonValue)i, 1 => $"order-{i:D6}", _ => ObjectId.GenerateNewId() } },
            { "sku", $"sku-{i}" }, { "customer", i % 50 }, { "at", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i) },
            { "total", i * 1.5m }, { "lines", new BsonArray(Enumerable.Range(0, i % 4).Select(l => new BsonDocument { { "n", l }, { "q", i + l } })) },
        });
        await collection.InsertManyAsync(docs);
        await h.SourceCollection("shop.customers").InsertManyAsync(Enumerable.Range(0, 120).Select(i => new BsonDocument { { "_id", i }, { "name", $"c{i}" } }));
        await h.SourceCollection("inventory.items").InsertManyAsync(Enumerable.Range(0, 80).Select(i => new BsonDocument { { "_id", $"item{i}" }, { "qty", i } }));
        await h.SourceCollection("other.ignored").InsertOneAsync(new BsonDocument("_id", 1));
        await h.SourceCollection("shop.audit").InsertOneAsync(new BsonDocument("_id", 1));
    }

    /// <summary>Inserts, updates (operators), replaces and deletes across the selected namespaces.</summary>
    internal static async Task MutateAsync(MongoToMongoHarness h, int round)
    {
        var orders = h.SourceCollection("shop.orders");
        for (var i = 0; i < 60; i++)
        {
            var id = (i + 60 * round) * 3; // int _ids, others each round
            switch (i % 4)
            {
                case 0:
                    await orders.UpdateOneAsync(new BsonDocument("_id", id), new BsonDocument
                    {
                        { "$set", new BsonDocument { { "status", $"r{round}" }, { "lines.0.q", -1 } } }, { "$unset", new BsonDocument("coupon", "") },
                        { "$inc", new BsonDocument("total", 1) },
                    });
                    break;
                case 1:
                    await orders.ReplaceOneAsync(new BsonDocument("_id", id), new BsonDocument { { "_id", id }, { "sku", $"replaced-{round}-{id}" }, { "total", 1 } });
                    break;
                case 2:
                    await orders.DeleteOneAsync(new BsonDocument("_id", id));
                    break;
                default:
                    await orders.InsertOneAsync(new BsonDocument { { "_id", $"new-{round}-{i}" }, { "sku", $"new-{round}-{i}" }, { "total", i } });
                    break;
            }
        }
        await h.SourceCollection("shop.customers").UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$lt", 20)),
            new BsonDocument("$set", new BsonDocument("vip", round)));
        await h.SourceCollection("inventory.items").DeleteManyAsync(new BsonDocument("qty", new BsonDocument("$gte", 70 - round)));
        await h.SourceCollection("other.ignored").InsertOneAsync(new BsonDocument("_id", 100 + round));
    }
}
