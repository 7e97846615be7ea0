using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Tests.Mongo;

public sealed class DatabaseCatalogTests : MongoServerTest
{
    [Fact]
    public async Task ListDatabases_and_listCollections_show_what_was_written()
    {
        await Collection("a", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await Collection("b", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        var databases = await Client.ListDatabasesAsync();
        Assert.Contains(databases, d => d["name"] == new BsonString("shop"));
        var names = await Client.GetDatabase("shop").ListCollectionNamesAsync();
        Assert.Equal(["a", "b"], names.Order());
        var filtered = await Client.GetDatabase("shop").ListCollectionsAsync(new BsonDocument { { "name", "b" } });
        Assert.Equal(new BsonString("b"), Assert.Single(filtered)["name"]);
    }

    [Fact]
    public async Task Dropping_a_collection_and_a_database_removes_them()
    {
        var shop = Client.GetDatabase("shop");
        await shop.GetCollection("a").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await shop.GetCollection("b").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await shop.GetCollection("a").DropAsync();
        await shop.GetCollection("never-existed").DropAsync();
        Assert.Equal(["b"], await shop.ListCollectionNamesAsync());
        await shop.DropAsync();
        Assert.DoesNotContain(await Client.ListDatabasesAsync(), d => d["name"] == new BsonString("shop"));
    }

    [Fact]
    public async Task Indexes_are_created_listed_enforced_and_dropped()
    {
        var collection = Collection();
        var names = await collection.CreateIndexesAsync([
            new IndexModel(new BsonDocument { { "email", 1 } }, new BsonDocument { { "unique", true } }),
            new IndexModel(new BsonDocument { { "a", 1 }, { "b", -1 } }),
        ]);
        Assert.Equal(["email_1", "a_1_b_-1"], names);
        var listed = (await collection.ListIndexesAsync()).Select(i => ((BsonString)i["name"]!).Value).Order();
        Assert.Equal(["_id_", "a_1_b_-1", "email_1"], listed);

        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "email", "x@example.com" } });
        var error = await Assert.ThrowsAsync<MongoBulkWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "email", "x@example.com" } }));
        Assert.True(error.IsDuplicateKey);
        Assert.Contains("email_1", Assert.Single(error.WriteErrors).Message);

        await collection.DropIndexAsync("email_1");
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "email", "x@example.com" } });
        Assert.DoesNotContain("email_1", (await collection.ListIndexesAsync()).Select(i => ((BsonString)i["name"]!).Value));
    }

    [Fact]
    public async Task FindAndModify_updates_upserts_and_removes()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 } });

        var updated = await collection.FindAndModifyAsync(new FindAndModifyRequest(new BsonDocument { { "_id", 1 } })
        {
            Update = new BsonDocument { { "$inc", new BsonDocument { { "n", 5 } } } },
            ReturnNew = true,
        });
        Assert.Equal(new BsonInt32(6), updated.Document!["n"]);

        var upserted = await collection.FindAndModifyAsync(new FindAndModifyRequest(new BsonDocument { { "_id", 2 } })
        {
            Update = new BsonDocument { { "$set", new BsonDocument { { "n", 0 } } } },
            Upsert = true,
            ReturnNew = true,
        });
        Assert.Equal(new BsonInt32(2), upserted.Document!["_id"]);

        var removed = await collection.FindAndModifyAsync(new FindAndModifyRequest(new BsonDocument { { "_id", 1 } }) { Remove = true });
        Assert.Equal(new BsonInt32(6), removed.Document!["n"]);
        var missing = await collection.FindAndModifyAsync(new FindAndModifyRequest(new BsonDocument { { "_id", 1 } }) { Remove = true });
        Assert.Null(missing.Document);
    }

    [Fact]
    public async Task FindAndModify_violating_a_unique_index_is_a_duplicate_key_exception()
    {
        var collection = Collection();
        await collection.CreateIndexAsync(new IndexModel(new BsonDocument { { "k", 1 } }, new BsonDocument { { "unique", true } }));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "k", "a" } });
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "k", "b" } });
        var error = await Assert.ThrowsAsync<MongoDuplicateKeyException>(() =>
            collection.FindAndModifyAsync(new FindAndModifyRequest(new BsonDocument { { "_id", 2 } })
            {
                Update = new BsonDocument { { "$set", new BsonDocument { { "k", "a" } } } },
            }));
        Assert.Equal(11000, error.Code);
        Assert.True(error.IsDuplicateKey);
    }
}
