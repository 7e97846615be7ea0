using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Tests.Mongo;

public sealed class BulkWriteTests : MongoServerTest
{
    private static ReadOnlyMemory<byte> Doc(int id, string name) => new BsonDocument { { "_id", id }, { "name", name } }.ToBson();
    private static ReadOnlyMemory<byte> ById(int id) => new BsonDocument { { "_id", id } }.ToBson();

    [Fact]
    public async Task Inserts_are_counted_and_readable()
    {
        var collection = Collection();
        var result = await collection.BulkWriteAsync(Enumerable.Range(1, 10).Select(i => (WriteModel)new InsertOneModel(Doc(i, $"n{i}"))).ToList());
        Assert.Equal(10, result.InsertedCount);
        var all = await collection.FindToListAsync(new BsonDocument(), new FindOptions { Sort = new BsonDocument { { "_id", 1 } } });
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (BsonValue)new BsonInt32(i)), all.Select(d => d["_id"]!));
        Assert.Equal(new BsonString("n3"), all[2]["name"]);
    }

    [Fact]
    public async Task A_duplicate_key_inside_an_unordered_bulk_fails_only_that_item()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "name", "existing" } });

        var requests = new List<WriteModel> { new InsertOneModel(Doc(1, "a")), new InsertOneModel(Doc(2, "dup")), new InsertOneModel(Doc(3, "c")) };
        var error = await Assert.ThrowsAsync<MongoBulkWriteException>(() => collection.BulkWriteAsync(requests));

        var writeError = Assert.Single(error.WriteErrors);
        Assert.Equal(1, writeError.Index);
        Assert.Equal(11000, writeError.Code);
        Assert.True(writeError.IsDuplicateKey);
        Assert.True(error.IsDuplicateKey);
        Assert.False(error.IsRetryable);
        Assert.Equal(2, error.Result.InsertedCount);
        var names = (await collection.FindToListAsync(new BsonDocument(), new FindOptions { Sort = new BsonDocument { { "_id", 1 } } }))
            .Select(d => ((BsonString)d["name"]!).Value);
        Assert.Equal(["a", "existing", "c"], names);
    }

    [Fact]
    public async Task An_ordered_bulk_stops_at_the_first_error()
    {
        var collection = Collection();
        var requests = new List<WriteModel> { new InsertOneModel(Doc(1, "a")), new InsertOneModel(Doc(1, "dup")), new InsertOneModel(Doc(3, "c")) };
        var error = await Assert.ThrowsAsync<MongoBulkWriteException>(() =>
            collection.BulkWriteAsync(requests, new BulkWriteOptions { IsOrdered = true }));
        Assert.Equal(1, Assert.Single(error.WriteErrors).Index);
        Assert.Equal(1, error.Result.InsertedCount);
        Assert.Single(await collection.FindToListAsync(new BsonDocument()));
    }

    [Fact]
    public async Task Replace_with_upsert_inserts_then_replaces_and_reports_the_upserted_id()
    {
        var collection = Collection();
        var first = await collection.BulkWriteAsync([new ReplaceOneModel(ById(7), Doc(7, "v1"), IsUpsert: true)]);
        Assert.Equal(1, first.UpsertedCount);
        Assert.Equal(new BulkWriteUpsert(0, new BsonInt32(7)), Assert.Single(first.Upserts));

        var second = await collection.BulkWriteAsync([new InsertOneModel(Doc(8, "x")), new ReplaceOneModel(ById(7), Doc(7, "v2"), IsUpsert: true)]);
        Assert.Equal(1, second.InsertedCount);
        Assert.Equal(1, second.MatchedCount);
        Assert.Equal(1, second.ModifiedCount);
        Assert.Equal(0, second.UpsertedCount);
        var seven = Assert.Single(await collection.FindToListAsync(new BsonDocument { { "_id", 7 } }));
        Assert.Equal(new BsonString("v2"), seven["name"]);
    }

    [Fact]
    public async Task Update_and_delete_one_change_the_matching_documents()
    {
        var collection = Collection();
        await collection.BulkWriteAsync([new InsertOneModel(Doc(1, "a")), new InsertOneModel(Doc(2, "b"))]);
        var set = new BsonDocument { { "$set", new BsonDocument { { "name", "updated" } } } }.ToBson();
        var result = await collection.BulkWriteAsync([
            new UpdateOneModel(ById(1), set),
            new DeleteOneModel(ById(2)),
            new UpdateOneModel(ById(9), set, IsUpsert: true),
        ]);
        Assert.Equal(1, result.MatchedCount);
        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal(1, result.DeletedCount);
        Assert.Equal(1, result.UpsertedCount);
        Assert.Equal(2, Assert.Single(result.Upserts).Index);
        var all = await collection.FindToListAsync(new BsonDocument(), new FindOptions { Sort = new BsonDocument { { "_id", 1 } } });
        Assert.Equal([new BsonInt32(1), new BsonInt32(9)], all.Select(d => d["_id"]!));
        Assert.All(all, d => Assert.Equal(new BsonString("updated"), d["name"]));
    }

    [Fact]
    public async Task A_document_over_the_size_limit_becomes_a_write_error_at_its_index_and_the_rest_is_applied()
    {
        var collection = Collection();
        var tooLarge = new BsonDocument { { "_id", 2 }, { "blob", new BsonBinaryData(new byte[16 * 1024 * 1024]) } }.ToBson();
        var error = await Assert.ThrowsAsync<MongoBulkWriteException>(() =>
            collection.BulkWriteAsync([new InsertOneModel(Doc(1, "a")), new InsertOneModel(tooLarge), new InsertOneModel(Doc(3, "c"))]));
        var writeError = Assert.Single(error.WriteErrors);
        Assert.Equal(1, writeError.Index);
        Assert.Equal(10334, writeError.Code);
        Assert.Contains("16777216", writeError.Message);
        Assert.Equal(2, error.Result.InsertedCount);
        Assert.Equal(2, (await collection.FindToListAsync(new BsonDocument())).Count);
    }

    [Fact]
    public async Task A_top_level_dollar_field_is_inserted_as_MongoDB_5_0_and_later_accept_it()
    {
        var collection = Collection();
        await collection.BulkWriteAsync([new InsertOneModel(new BsonDocument { { "_id", 1 }, { "$price", 5 } }.ToBson())]);
        var stored = Assert.Single(await collection.FindToListAsync(new BsonDocument()));
        Assert.Equal(new BsonInt32(5), stored["$price"]);
    }

    [Fact]
    public async Task An_empty_request_list_writes_nothing()
    {
        var result = await Collection().BulkWriteAsync([]);
        Assert.Equal(BulkWriteResult.Empty, result);
    }
}
