using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

public sealed class FindTests : MongoServerTest
{
    private async Task<IMongoCollection<BsonDocument>> SeedAsync(int count)
    {
        var collection = Collection();
        await collection.InsertManyAsync(Enumerable.Range(0, count)
            .Select(i => new BsonDocument { { "_id", i }, { "group", i % 3 }, { "payload", new string('x', 20) } }));
        return collection;
    }

    [Fact]
    public async Task A_cursor_is_read_to_the_end_across_many_getMores()
    {
        var collection = await SeedAsync(1050);
        var seen = new List<int>();
        var batches = 0;
        var raw = Client.GetDatabase("test").GetCollection<RawBsonDocument>("items");
        using (var cursor = await raw.FindAsync(new BsonDocument(), new FindOptions<RawBsonDocument> { BatchSize = 100, Sort = new BsonDocument { { "_id", 1 } } }))
        {
            while (await cursor.MoveNextAsync())
            {
                batches++;
                seen.AddRange(cursor.Current.Select(d => d["_id"].AsInt32));
            }
        }
        Assert.Equal(Enumerable.Range(0, 1050), seen);
        Assert.True(batches >= 11, $"{batches} batches");
    }

    [Fact]
    public async Task Filter_sort_projection_skip_and_limit_are_applied_by_the_server()
    {
        var collection = await SeedAsync(30);
        var options = new FindOptions<BsonDocument>
        {
            Sort = new BsonDocument { { "_id", -1 } },
            Projection = new BsonDocument { { "payload", 0 } },
            Skip = 2,
            Limit = 3,
        };
        var documents = await (await collection.FindAsync(new BsonDocument { { "group", 1 } }, options)).ToListAsync();
        Assert.Equal([new BsonInt32(22), new BsonInt32(19), new BsonInt32(16)], documents.Select(d => d["_id"]));
        Assert.All(documents, d => Assert.False(d.Contains("payload")));
    }

    [Fact]
    public async Task Breaking_out_early_releases_the_cursor_and_its_client()
    {
        var collection = await SeedAsync(500);
        for (var round = 0; round < Client.Settings.MaxConnectionPoolSize * 2; round++)
        {
            using var cursor = await collection.FindAsync(new BsonDocument(), new FindOptions<BsonDocument> { BatchSize = 10 });
            Assert.True(await cursor.MoveNextAsync());
        }
        // Had a cursor kept its pooled connection, the pool (16) would be exhausted and this would wait forever.
        Assert.Equal(500, (await collection.Find(new BsonDocument()).ToListAsync()).Count);
    }

    [Fact]
    public async Task A_bad_filter_surfaces_as_a_command_exception()
    {
        var collection = await SeedAsync(3);
        var error = await Assert.ThrowsAsync<MongoCommandException>(async () =>
        {
            using var cursor = await collection.FindAsync(new BsonDocument { { "_id", new BsonDocument { { "$noSuchOperator", 1 } } } });
            while (await cursor.MoveNextAsync()) { }
        });
        Assert.Equal(2, error.Code);
    }
}
