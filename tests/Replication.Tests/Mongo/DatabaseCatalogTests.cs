using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

public sealed class DatabaseCatalogTests : MongoServerTest
{
    private async Task<List<BsonDocument>> DatabasesAsync() => await (await Client.ListDatabasesAsync()).ToListAsync();

    [Fact]
    public async Task ListDatabases_and_listCollections_show_what_was_written()
    {
        await Collection("a", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await Collection("b", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        Assert.Contains(await DatabasesAsync(), d => d["name"] == new BsonString("shop"));
        var names = await (await Client.GetDatabase("shop").ListCollectionNamesAsync()).ToListAsync();
        Assert.Equal(["a", "b"], names.Order());
        var filtered = await (await Client.GetDatabase("shop").ListCollectionsAsync(new ListCollectionsOptions { Filter = new BsonDocument { { "name", "b" } } }))
            .ToListAsync();
        Assert.Equal(new BsonString("b"), Assert.Single(filtered)["name"]);
    }

    [Fact]
    public async Task Dropping_a_collection_and_a_database_removes_them()
    {
        var shop = Client.GetDatabase("shop");
        await shop.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await shop.GetCollection<BsonDocument>("b").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await shop.DropCollectionAsync("a");
        await shop.DropCollectionAsync("never-existed");
        Assert.Equal(["b"], await (await shop.ListCollectionNamesAsync()).ToListAsync());
        await Client.DropDatabaseAsync("shop");
        Assert.DoesNotContain(await DatabasesAsync(), d => d["name"] == new BsonString("shop"));
    }

    [Fact]
    public async Task Indexes_are_created_listed_enforced_and_dropped()
    {
        var collection = Collection();
        var names = await collection.Indexes.CreateManyAsync([
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "email", 1 } }, new CreateIndexOptions { Unique = true }),
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "a", 1 }, { "b", -1 } }),
        ]);
        Assert.Equal(["email_1", "a_1_b_-1"], names);
        async Task<IEnumerable<string>> IndexNamesAsync() => (await (await collection.Indexes.ListAsync()).ToListAsync()).Select(i => i["name"].AsString);
        Assert.Equal(["_id_", "a_1_b_-1", "email_1"], (await IndexNamesAsync()).Order());

        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "email", "x@example.com" } });
        var error = await Assert.ThrowsAsync<MongoWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "email", "x@example.com" } }));
        Assert.Equal(ServerErrorCategory.DuplicateKey, error.WriteError.Category);
        Assert.Contains("email_1", error.WriteError.Message);

        await collection.Indexes.DropOneAsync("email_1");
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "email", "x@example.com" } });
        Assert.DoesNotContain("email_1", await IndexNamesAsync());
    }

    [Fact]
    public async Task FindAndModify_updates_upserts_and_removes()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 } });

        var updated = await collection.FindOneAndUpdateAsync<BsonDocument>(new BsonDocument { { "_id", 1 } },
            new BsonDocument { { "$inc", new BsonDocument { { "n", 5 } } } },
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After });
        Assert.Equal(new BsonInt32(6), updated["n"]);

        var upserted = await collection.FindOneAndUpdateAsync<BsonDocument>(new BsonDocument { { "_id", 2 } },
            new BsonDocument { { "$set", new BsonDocument { { "n", 0 } } } },
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });
        Assert.Equal(new BsonInt32(2), upserted["_id"]);

        var removed = await collection.FindOneAndDeleteAsync<BsonDocument>(new BsonDocument { { "_id", 1 } });
        Assert.Equal(new BsonInt32(6), removed["n"]);
        var missing = await collection.FindOneAndDeleteAsync<BsonDocument>(new BsonDocument { { "_id", 1 } });
        Assert.Null(missing);
    }

    [Fact]
    public async Task FindAndModify_violating_a_unique_index_is_a_duplicate_key_exception()
    {
        var collection = Collection();
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument { { "k", 1 } }, new CreateIndexOptions { Unique = true }));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "k", "a" } });
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "k", "b" } });
        var error = await Assert.ThrowsAnyAsync<MongoCommandException>(() =>
            collection.FindOneAndUpdateAsync<BsonDocument>(new BsonDocument { { "_id", 2 } }, new BsonDocument { { "$set", new BsonDocument { { "k", "a" } } } }));
        Assert.Equal(11000, error.Code);
    }
}
