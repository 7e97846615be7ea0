using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

/// <summary>The in-memory server's bulk writes, as MongoDB.Driver sends them and reads their replies.</summary>
public sealed class BulkWriteTests : MongoServerTest
{
    private static BsonDocument Doc(int id, string name) => new() { { "_id", id }, { "name", name } };
    private static BsonDocument ById(int id) => new() { { "_id", id } };
    private static readonly BsonDocument ByIdAscending = new() { { "_id", 1 } };

    [Fact]
    public async Task Inserts_are_counted_and_readable()
    {
        var collection = Collection();
        var result = await collection.BulkWriteAsync(Enumerable.Range(1, 10).Select(i => (WriteModel<BsonDocument>)new InsertOneModel<BsonDocument>(Doc(i, $"n{i}"))).ToList());
        Assert.Equal(10, result.InsertedCount);
        var all = await collection.Find(new BsonDocument()).Sort(ByIdAscending).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (BsonValue)new BsonInt32(i)), all.Select(d => d["_id"]));
        Assert.Equal(new BsonString("n3"), all[2]["name"]);
    }

    [Fact]
    public async Task A_duplicate_key_inside_an_unordered_bulk_fails_only_that_item()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "name", "existing" } });

        List<WriteModel<BsonDocument>> requests = [new InsertOneModel<BsonDocument>(Doc(1, "a")), new InsertOneModel<BsonDocument>(Doc(2, "dup")), new InsertOneModel<BsonDocument>(Doc(3, "c"))];
        var error = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() => collection.BulkWriteAsync(requests, new BulkWriteOptions { IsOrdered = false }));

        var writeError = Assert.Single(error.WriteErrors);
        Assert.Equal(1, writeError.Index);
        Assert.Equal(11000, writeError.Code);
        Assert.Equal(ServerErrorCategory.DuplicateKey, writeError.Category);
        Assert.Null(error.WriteConcernError);
        Assert.False(error.HasErrorLabel("RetryableWriteError"));
        Assert.Equal(2, error.Result.InsertedCount);
        var names = (await collection.Find(new BsonDocument()).Sort(ByIdAscending).ToListAsync()).Select(d => d["name"].AsString);
        Assert.Equal(["a", "existing", "c"], names);
    }

    [Fact]
    public async Task An_ordered_bulk_stops_at_the_first_error()
    {
        var collection = Collection();
        List<WriteModel<BsonDocument>> requests = [new InsertOneModel<BsonDocument>(Doc(1, "a")), new InsertOneModel<BsonDocument>(Doc(1, "dup")), new InsertOneModel<BsonDocument>(Doc(3, "c"))];
        var error = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() =>
            collection.BulkWriteAsync(requests, new BulkWriteOptions { IsOrdered = true }));
        Assert.Equal(1, Assert.Single(error.WriteErrors).Index);
        Assert.Equal(1, error.Result.InsertedCount);
        Assert.Single(await collection.Find(new BsonDocument()).ToListAsync());
    }

    [Fact]
    public async Task Replace_with_upsert_inserts_then_replaces_and_reports_the_upserted_id()
    {
        var collection = Collection();
        var first = await collection.BulkWriteAsync([new ReplaceOneModel<BsonDocument>(ById(7), Doc(7, "v1")) { IsUpsert = true }]);
        var upsert = Assert.Single(first.Upserts);
        Assert.Equal(0, upsert.Index);
        Assert.Equal(new BsonInt32(7), upsert.Id);

        var second = await collection.BulkWriteAsync([new InsertOneModel<BsonDocument>(Doc(8, "x")), new ReplaceOneModel<BsonDocument>(ById(7), Doc(7, "v2")) { IsUpsert = true }]);
        Assert.Equal(1, second.InsertedCount);
        Assert.Equal(1, second.MatchedCount);
        Assert.Equal(1, second.ModifiedCount);
        Assert.Empty(second.Upserts);
        var seven = Assert.Single(await collection.Find(ById(7)).ToListAsync());
        Assert.Equal(new BsonString("v2"), seven["name"]);
    }

    [Fact]
    public async Task Update_and_delete_one_change_the_matching_documents()
    {
        var collection = Collection();
        await collection.BulkWriteAsync([new InsertOneModel<BsonDocument>(Doc(1, "a")), new InsertOneModel<BsonDocument>(Doc(2, "b"))]);
        var set = new BsonDocument { { "$set", new BsonDocument { { "name", "updated" } } } };
        var result = await collection.BulkWriteAsync([
            new UpdateOneModel<BsonDocument>(ById(1), set),
            new DeleteOneModel<BsonDocument>(ById(2)),
            new UpdateOneModel<BsonDocument>(ById(9), set) { IsUpsert = true },
        ]);
        Assert.Equal(1, result.MatchedCount);
        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal(1, result.DeletedCount);
        Assert.Equal(2, Assert.Single(result.Upserts).Index);
        var all = await collection.Find(new BsonDocument()).Sort(ByIdAscending).ToListAsync();
        Assert.Equal([new BsonInt32(1), new BsonInt32(9)], all.Select(d => d["_id"]));
        Assert.All(all, d => Assert.Equal(new BsonString("updated"), d["name"]));
    }

    [Fact]
    public async Task A_document_over_the_size_limit_is_refused_by_the_driver_before_it_is_sent()
    {
        // Why TargetWriter checks the size itself (and dead-letters such an item with code 10334): the driver fails the
        // request as a whole instead of reporting a write error at the item's index.
        var collection = Collection();
        var tooLarge = new BsonDocument { { "_id", 2 }, { "blob", new BsonBinaryData(new byte[16 * 1024 * 1024]) } };
        var error = await Record.ExceptionAsync(() =>
            collection.BulkWriteAsync([new InsertOneModel<BsonDocument>(Doc(1, "a")), new InsertOneModel<BsonDocument>(tooLarge), new InsertOneModel<BsonDocument>(Doc(3, "c"))],
                new BulkWriteOptions { IsOrdered = false }));
        Assert.NotNull(error);
        Assert.IsNotType<MongoBulkWriteException<BsonDocument>>(error);
        Assert.DoesNotContain(await collection.Find(new BsonDocument()).ToListAsync(), d => d["_id"] == 2);
    }

    [Fact]
    public async Task A_top_level_dollar_field_is_inserted_as_MongoDB_5_0_and_later_accept_it()
    {
        var collection = Collection();
        await collection.BulkWriteAsync([new InsertOneModel<BsonDocument>(new BsonDocument { { "_id", 1 }, { "$price", 5 } })]);
        var stored = Assert.Single(await collection.Find(new BsonDocument()).ToListAsync());
        Assert.Equal(new BsonInt32(5), stored["$price"]);
    }

    [Fact]
    public async Task An_empty_request_list_is_refused_by_the_driver_so_callers_must_not_send_one()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Collection().BulkWriteAsync([]));
        Assert.Empty(await Collection().Find(new BsonDocument()).ToListAsync());
    }
}
