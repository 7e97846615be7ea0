using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class UpdateDeleteTests
{
    private static BsonDocument Update(BsonDocument q, BsonDocument u, bool upsert = false, bool multi = false) =>
        new() { { "q", q }, { "u", u }, { "upsert", upsert }, { "multi", multi } };

    private static BsonDocument Set(BsonDocument fields) => new() { { "$set", fields } };

    [Fact]
    public void Operators_set_unset_inc_push_and_pull()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "a", 1 }, { "gone", true }, { "list", new BsonArray { 1, 2, 3 } } });
        var reply = s.Ok(new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { Update(new BsonDocument { { "_id", 1 } }, new BsonDocument
                {
                    { "$set", new BsonDocument { { "b.c", "x" } } },
                    { "$unset", new BsonDocument { { "gone", "" } } },
                    { "$inc", new BsonDocument { { "a", 2 } } },
                    { "$push", new BsonDocument { { "tags", "t" } } },
                    { "$pull", new BsonDocument { { "list", 2 } } },
                }) } },
        });
        Assert.Equal(new BsonInt32(1), reply["n"]);
        Assert.Equal(new BsonInt32(1), reply["nModified"]);
        Assert.Equal(
            new BsonDocument { { "_id", 1 }, { "a", 3 }, { "list", new BsonArray { 1, 3 } }, { "b", new BsonDocument { { "c", "x" } } }, { "tags", new BsonArray { "t" } } },
            s.FindAll("c")[0]);
    }

    [Fact]
    public void An_update_that_changes_nothing_is_matched_but_not_modified()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "a", 1 } });
        var reply = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "_id", 1 } }, Set(new BsonDocument { { "a", 1 } })) } } });
        Assert.Equal(new BsonInt32(1), reply["n"]);
        Assert.Equal(new BsonInt32(0), reply["nModified"]);
    }

    [Fact]
    public void Upsert_seeds_the_new_document_from_the_filters_equality_fields()
    {
        var s = new EngineSession();
        var reply = s.Ok(new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { Update(new BsonDocument { { "_id", 7 }, { "k", new BsonDocument { { "$eq", "v" } } }, { "n", new BsonDocument { { "$gt", 1 } } } },
                new BsonDocument { { "$set", new BsonDocument { { "x", 1 } } }, { "$setOnInsert", new BsonDocument { { "created", true } } } }, upsert: true) } },
        });
        Assert.Equal(new BsonInt32(1), reply["n"]);
        Assert.Equal(new BsonInt32(0), reply["nModified"]);
        Assert.Equal(new BsonArray { new BsonDocument { { "index", 0 }, { "_id", 7 } } }, reply["upserted"]);
        Assert.Equal(new BsonDocument { { "_id", 7 }, { "k", "v" }, { "x", 1 }, { "created", true } }, s.FindAll("c")[0]);
    }

    [Fact]
    public void Replacement_upsert_by_id_inserts_then_replaces()
    {
        var s = new EngineSession();
        var filter = new BsonDocument { { "_id", "k1" } };
        s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(filter, new BsonDocument { { "v", 1 } }, upsert: true) } } });
        var reply = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(filter, new BsonDocument { { "v", 2 } }, upsert: true) } } });
        Assert.Equal(new BsonInt32(1), reply["nModified"]);
        Assert.False(reply.Contains("upserted"));
        Assert.Equal([new BsonDocument { { "_id", "k1" }, { "v", 2 } }], s.FindAll("c"));
    }

    [Fact]
    public void Changing_the_id_is_an_ImmutableField_write_error()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var bySet = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "_id", 1 } }, Set(new BsonDocument { { "_id", 2 } })) } } });
        Assert.Equal(new BsonInt32(66), ((BsonDocument)((BsonArray)bySet["writeErrors"]!)[0])["code"]);
        var byReplace = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 2 } }) } } });
        Assert.Equal(new BsonInt32(66), ((BsonDocument)((BsonArray)byReplace["writeErrors"]!)[0])["code"]);
        Assert.Equal([new BsonDocument { { "_id", 1 } }], s.FindAll("c"));
    }

    [Fact]
    public void Multi_updates_every_match_and_single_only_the_first()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 4).Select(i => new BsonDocument { { "_id", i }, { "g", i % 2 } }).ToArray());
        var one = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "g", 0 } }, Set(new BsonDocument { { "hit", 1 } })) } } });
        Assert.Equal(new BsonInt32(1), one["nModified"]);
        var many = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "g", 1 } }, Set(new BsonDocument { { "hit", 1 } }), multi: true) } } });
        Assert.Equal(new BsonInt32(2), many["nModified"]);
        Assert.Equal(3, s.FindAll("c", new BsonDocument { { "hit", 1 } }).Count);
    }

    [Fact]
    public void Unknown_update_operator_is_FailedToParse()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var reply = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument(), new BsonDocument { { "$frob", new BsonDocument { { "a", 1 } } } }) } } });
        Assert.Equal(new BsonInt32(9), ((BsonDocument)((BsonArray)reply["writeErrors"]!)[0])["code"]);
    }

    [Fact]
    public void Positional_paths_are_refused_rather_than_written_as_literal_field_names()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "a", new BsonArray { 1 } } });
        var reply = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { Update(new BsonDocument { { "a", 1 } }, Set(new BsonDocument { { "a.$", 2 } })) } } });
        Assert.Equal(new BsonInt32(2), ((BsonDocument)((BsonArray)reply["writeErrors"]!)[0])["code"]);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", new BsonArray { 1 } } }, s.FindAll("c")[0]);
    }

    [Fact]
    public void Delete_with_limit_one_removes_one_and_limit_zero_all()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", i }, { "g", 1 } }).ToArray());
        var one = s.Ok(new BsonDocument { { "delete", "c" }, { "deletes", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "g", 1 } } }, { "limit", 1 } } } } });
        Assert.Equal(new BsonInt32(1), one["n"]);
        var all = s.Ok(new BsonDocument { { "delete", "c" }, { "deletes", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "g", 1 } } }, { "limit", 0 } } } } });
        Assert.Equal(new BsonInt32(4), all["n"]);
        Assert.Empty(s.FindAll("c"));
    }

    [Fact]
    public void FindAndModify_returns_the_old_or_new_document_with_lastErrorObject()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "n", 1 } }, new BsonDocument { { "_id", 2 }, { "n", 5 } });
        var old = s.Ok(new BsonDocument
        {
            { "findAndModify", "c" }, { "query", new BsonDocument() }, { "sort", new BsonDocument { { "n", -1 } } },
            { "update", new BsonDocument { { "$inc", new BsonDocument { { "n", 1 } } } } },
        });
        Assert.Equal(new BsonDocument { { "_id", 2 }, { "n", 5 } }, old["value"]);
        Assert.Equal(new BsonDocument { { "n", 1 }, { "updatedExisting", true } }, old["lastErrorObject"]);

        var upserted = s.Ok(new BsonDocument
        {
            { "findAndModify", "c" }, { "query", new BsonDocument { { "_id", 3 } } }, { "new", true }, { "upsert", true },
            { "update", new BsonDocument { { "$set", new BsonDocument { { "n", 0 } } } } }, { "fields", new BsonDocument { { "_id", 0 } } },
        });
        Assert.Equal(new BsonDocument { { "n", 0 } }, upserted["value"]);
        Assert.Equal(new BsonDocument { { "n", 1 }, { "updatedExisting", false }, { "upserted", 3 } }, upserted["lastErrorObject"]);

        var removed = s.Ok(new BsonDocument { { "findAndModify", "c" }, { "query", new BsonDocument { { "_id", 1 } } }, { "remove", true } });
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 1 } }, removed["value"]);
        Assert.Equal(new BsonDocument { { "n", 1 } }, removed["lastErrorObject"]);

        var none = s.Ok(new BsonDocument { { "findAndModify", "c" }, { "query", new BsonDocument { { "_id", 99 } } }, { "remove", true } });
        Assert.Equal(BsonNull.Value, none["value"]);
    }

    [Fact]
    public void Codes_without_a_name_report_a_Location_code_name()
    {
        var s = new EngineSession();
        var reply = s.Fails(new BsonDocument { { "find", "c" }, { "projection", new BsonDocument { { "a", 1 }, { "b", 0 } } } }, 31254);
        Assert.Equal(new BsonString("Location31254"), reply["codeName"]);
    }

    [Fact]
    public void Count_and_distinct()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "k", "a" } }, new BsonDocument { { "k", "b" } }, new BsonDocument { { "k", new BsonArray { "a", "c" } } });
        Assert.Equal(new BsonInt32(3), s.Ok(new BsonDocument { { "count", "c" } })["n"]);
        Assert.Equal(new BsonInt32(2), s.Ok(new BsonDocument { { "count", "c" }, { "query", new BsonDocument { { "k", "a" } } } })["n"]);
        Assert.Equal(new BsonArray { "a", "b", "c" }, s.Ok(new BsonDocument { { "distinct", "c" }, { "key", "k" } })["values"]);
    }
}
