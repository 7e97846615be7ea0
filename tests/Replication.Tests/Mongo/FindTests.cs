using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Tests.Mongo;

public sealed class FindTests : MongoServerTest
{
    private async Task<MongoCollection> SeedAsync(int count)
    {
        var collection = Collection();
        var requests = Enumerable.Range(0, count)
            .Select(i => (WriteModel)new InsertOneModel(new BsonDocument { { "_id", i }, { "group", i % 3 }, { "payload", new string('x', 20) } }.ToBson()))
            .ToList();
        await collection.BulkWriteAsync(requests);
        return collection;
    }

    [Fact]
    public async Task A_cursor_is_read_to_the_end_across_many_getMores()
    {
        var collection = await SeedAsync(1050);
        var seen = new List<int>();
        await foreach (var document in collection.FindAsync(new BsonDocument(), new FindOptions { BatchSize = 100, Sort = new BsonDocument { { "_id", 1 } } }))
            seen.Add(new RawBsonDocument(document.ToArray())["_id"].AsInt32);
        Assert.Equal(Enumerable.Range(0, 1050), seen);
    }

    [Fact]
    public async Task Filter_sort_projection_skip_and_limit_are_applied_by_the_server()
    {
        var collection = await SeedAsync(30);
        var options = new FindOptions
        {
            Sort = new BsonDocument { { "_id", -1 } },
            Projection = new BsonDocument { { "payload", 0 } },
            Skip = 2,
            Limit = 3,
        };
        var documents = await collection.FindToListAsync(new BsonDocument { { "group", 1 } }, options);
        Assert.Equal([new BsonInt32(22), new BsonInt32(19), new BsonInt32(16)], documents.Select(d => d["_id"]!));
        Assert.All(documents, d => Assert.False(d.Contains("payload")));
    }

    [Fact]
    public async Task Breaking_out_early_releases_the_cursor_and_its_client()
    {
        var collection = await SeedAsync(500);
        for (var round = 0; round < Client.MaxPoolSize * 2; round++)
        {
            await foreach (var _ in collection.FindAsync(new BsonDocument(), new FindOptions { BatchSize = 10 }))
                break;
        }
        // Had a cursor kept its pooled client, the pool (16) would be exhausted and this would wait forever.
        Assert.Equal(500, (await collection.FindToListAsync(new BsonDocument())).Count);
    }

    [Fact]
    public async Task A_bad_filter_surfaces_as_a_command_exception()
    {
        var collection = await SeedAsync(3);
        var error = await Assert.ThrowsAsync<MongoCommandException>(async () =>
        {
            await foreach (var _ in collection.FindAsync(new BsonDocument { { "_id", new BsonDocument { { "$noSuchOperator", 1 } } } })) { }
        });
        Assert.Equal(2, error.Code);
    }
}
