using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_connections_never_break_unique_enforcement_or_lose_writes()
    {
        var s = new EngineSession();
        s.Ok(new BsonDocument
        {
            { "createIndexes", "c" },
            { "indexes", new BsonArray { new BsonDocument { { "key", new BsonDocument { { "k", 1 } } }, { "name", "k_1" }, { "unique", true } } } },
        });
        // Eight writers race to insert the same 200 keys; exactly one insert per key may win.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            var won = 0;
            for (var k = 0; k < 200; k++)
            {
                var reply = s.Run(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "k", k }, { "w", w } } } } });
                won += ((BsonInt32)reply["n"]!).Value;
            }
            return won;
        })).ToList();
        var wins = await Task.WhenAll(writers);
        Assert.Equal(200, wins.Sum());
        Assert.Equal(new BsonInt32(200), s.Ok(new BsonDocument { { "count", "c" } })["n"]);
    }

    [Fact]
    public async Task Concurrent_increments_are_all_applied()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "n", 0 } });
        var inc = new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "u", new BsonDocument { { "$inc", new BsonDocument { { "n", 1 } } } } } } } },
        };
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++) s.Ok(inc);
        })));
        Assert.Equal(new BsonInt32(1000), s.FindAll("c")[0]["n"]);
    }
}
