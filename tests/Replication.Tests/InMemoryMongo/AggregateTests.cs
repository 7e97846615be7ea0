using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class AggregateTests
{
    private static BsonDocument Aggregate(string collection, params BsonDocument[] stages) =>
        new() { { "aggregate", collection }, { "pipeline", new BsonArray(stages) }, { "cursor", new BsonDocument() } };

    [Fact]
    public void Match_sort_skip_limit_project()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "v", i % 3 } }).ToArray());
        var reply = s.Ok(Aggregate("c",
            new BsonDocument { { "$match", new BsonDocument { { "v", new BsonDocument { { "$gte", 1 } } } } } },
            new BsonDocument { { "$sort", new BsonDocument { { "_id", -1 } } } },
            new BsonDocument { { "$skip", 1 } },
            new BsonDocument { { "$limit", 2 } },
            new BsonDocument { { "$project", new BsonDocument { { "v", 1 } } } }));
        Assert.Equal([new BsonDocument { { "_id", 7 }, { "v", 1 } }, new BsonDocument { { "_id", 5 }, { "v", 2 } }], EngineSession.Batch(reply, "firstBatch"));
    }

    [Fact]
    public void Count_and_group_with_sum()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 6).Select(i => new BsonDocument { { "g", i % 2 }, { "n", i } }).ToArray());
        var count = s.Ok(Aggregate("c", new BsonDocument { { "$count", "total" } }));
        Assert.Equal([new BsonDocument { { "total", 6 } }], EngineSession.Batch(count, "firstBatch"));
        var grouped = s.Ok(Aggregate("c",
            new BsonDocument { { "$group", new BsonDocument { { "_id", "$g" }, { "sum", new BsonDocument { { "$sum", "$n" } } }, { "docs", new BsonDocument { { "$sum", 1 } } } } } },
            new BsonDocument { { "$sort", new BsonDocument { { "_id", 1 } } } }));
        Assert.Equal(
            [new BsonDocument { { "_id", 0 }, { "sum", 6 }, { "docs", 3 } }, new BsonDocument { { "_id", 1 }, { "sum", 9 }, { "docs", 3 } }],
            EngineSession.Batch(grouped, "firstBatch"));
    }

    [Fact]
    public void An_unknown_stage_is_rejected_and_cursor_is_required()
    {
        var s = new EngineSession();
        s.Fails(Aggregate("c", new BsonDocument { { "$frob", 1 } }), 40324);
        s.Fails(new BsonDocument { { "aggregate", "c" }, { "pipeline", new BsonArray() } }, 9);
    }
}
