using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class InsertFindTests
{
    [Fact]
    public void Insert_generates_an_ObjectId_placed_first_and_find_returns_documents_in_insertion_order()
    {
        var s = new EngineSession();
        var reply = s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "a", 2 } }, new BsonDocument { { "a", 1 }, { "_id", 5 } } } } });
        Assert.Equal(new BsonInt32(2), reply["n"]);
        var docs = s.FindAll("c");
        Assert.Equal(2, docs.Count);
        Assert.Equal("_id", docs[0].GetElement(0).Name);
        Assert.IsType<BsonObjectId>(docs[0]["_id"]);
        Assert.Equal(new BsonDocument { { "_id", 5 }, { "a", 1 } }, docs[1]);
    }

    [Fact]
    public void Insert_takes_documents_from_an_OP_MSG_document_sequence()
    {
        var s = new EngineSession();
        var sequences = new Dictionary<string, IReadOnlyList<BsonDocument>> { ["documents"] = [new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 2 } }] };
        var reply = s.Run(new BsonDocument { { "insert", "c" } }, "test", sequences);
        Assert.Equal(new BsonInt32(2), reply["n"]);
        Assert.Equal(2, s.FindAll("c").Count);
    }

    [Fact]
    public void A_duplicate_binary_key_is_shown_as_mongod_shows_it()
    {
        var s = new EngineSession();
        var id = new BsonBinaryData([1, 0xAB]);
        var reply = s.Ok(new BsonDocument
        {
            { "insert", "c" },
            { "documents", new BsonArray { new BsonDocument { { "_id", id } }, new BsonDocument { { "_id", id } } } },
        });
        var error = Assert.IsType<BsonDocument>(Assert.Single((BsonArray)reply["writeErrors"]!));
        // The subtype is a number, as in mongod's message (MongoDB.Bson would print its enum name).
        Assert.Equal(new BsonString("E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: BinData(0, 01AB) }"), error["errmsg"]);
    }

    [Fact]
    public void Ordered_insert_stops_at_a_duplicate_key_with_mongodbs_write_error_shape()
    {
        var s = new EngineSession();
        var reply = s.Ok(new BsonDocument
        {
            { "insert", "c" },
            { "documents", new BsonArray { new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 2 } } } },
        });
        Assert.Equal(new BsonInt32(1), reply["n"]);
        var error = Assert.IsType<BsonDocument>(Assert.Single((BsonArray)reply["writeErrors"]!));
        Assert.Equal(new BsonInt32(1), error["index"]);
        Assert.Equal(new BsonInt32(11000), error["code"]);
        Assert.Equal(new BsonString("E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: 1 }"), error["errmsg"]);
        Assert.Equal(new BsonDocument { { "_id", 1 } }, error["keyPattern"]);
        Assert.Equal(new BsonDocument { { "_id", 1 } }, error["keyValue"]);
        Assert.Single(s.FindAll("c"));
    }

    [Fact]
    public void Unordered_insert_continues_after_errors()
    {
        var s = new EngineSession();
        var reply = s.Ok(new BsonDocument
        {
            { "insert", "c" },
            { "documents", new BsonArray { new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 1.0 } }, new BsonDocument { { "_id", 2 } } } },
            { "ordered", false },
        });
        Assert.Equal(new BsonInt32(2), reply["n"]);
        Assert.Single((BsonArray)reply["writeErrors"]!);
        Assert.Equal(2, s.FindAll("c").Count);
    }

    [Fact]
    public void Top_level_dollar_field_names_are_stored_by_inserts_as_MongoDB_5_0_and_later_do()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "$price", 5 } });
        Assert.Equal(new BsonInt32(5), Assert.Single(s.FindAll("c"))["$price"]);
    }

    [Fact]
    public void Top_level_dollar_field_names_in_a_replacement_are_refused_as_MongoDB_refuses_them()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var reply = s.Ok(new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "u", new BsonDocument { { "a", 1 }, { "$bad", 1 } } } } } },
        });
        var error = (BsonDocument)((BsonArray)reply["writeErrors"]!)[0];
        Assert.Equal(new BsonInt32(9), error["code"]);
        Assert.Contains("is not allowed in the context of an update's replacement document", ((BsonString)error["errmsg"]!).Value);
    }

    [Fact]
    public void Documents_over_16_MiB_are_refused_with_the_limit_MongoDB_states()
    {
        var s = new EngineSession();
        var big = new BsonDocument { { "_id", 1 }, { "blob", new BsonBinaryData(new byte[16 * 1024 * 1024]) } };
        var reply = s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { big } } });
        var error = (BsonDocument)((BsonArray)reply["writeErrors"]!)[0];
        Assert.Equal(new BsonInt32(2), error["code"]);
        Assert.Equal($"object to insert too large. size in bytes: {big.ToBson().Length}, max size: 16777216", ((BsonString)error["errmsg"]!).Value);

        s.Insert("c", new BsonDocument { { "_id", 2 } });
        var update = s.Ok(new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 2 } } }, { "u", new BsonDocument { { "$set", new BsonDocument { { "blob", new BsonBinaryData(new byte[16 * 1024 * 1024]) } } } } } } } },
        });
        var updateError = (BsonDocument)((BsonArray)update["writeErrors"]!)[0];
        Assert.Equal(new BsonInt32(17419), updateError["code"]);
        Assert.Equal("Resulting document after update is larger than 16777216", ((BsonString)updateError["errmsg"]!).Value);
    }

    [Fact]
    public void Find_pages_through_getMore_until_the_cursor_id_is_zero()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 250).Select(i => new BsonDocument { { "_id", i } }).ToArray());
        var first = s.Ok(new BsonDocument { { "find", "c" } });
        Assert.Equal(101, EngineSession.Batch(first, "firstBatch").Count);
        Assert.Equal(new BsonString("test.c"), ((BsonDocument)first["cursor"]!)["ns"]);
        var id = EngineSession.CursorId(first);
        Assert.NotEqual(0, id);
        var seen = 101;
        while (id != 0)
        {
            var more = s.Ok(new BsonDocument { { "getMore", id }, { "collection", "c" }, { "batchSize", 100 } });
            seen += EngineSession.Batch(more, "nextBatch").Count;
            id = EngineSession.CursorId(more);
        }
        Assert.Equal(250, seen);
    }

    [Fact]
    public void GetMore_on_an_unknown_cursor_is_CursorNotFound()
    {
        new EngineSession().Fails(new BsonDocument { { "getMore", 12345L }, { "collection", "c" } }, 43);
    }

    [Fact]
    public void KillCursors_reports_killed_and_not_found_ids()
    {
        var s = new EngineSession();
        s.Insert("c", Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", i } }).ToArray());
        var id = EngineSession.CursorId(s.Ok(new BsonDocument { { "find", "c" }, { "batchSize", 1 } }));
        var reply = s.Ok(new BsonDocument { { "killCursors", "c" }, { "cursors", new BsonArray { id, 99L } } });
        Assert.Equal(new BsonArray { id }, reply["cursorsKilled"]);
        Assert.Equal(new BsonArray { 99L }, reply["cursorsNotFound"]);
        s.Fails(new BsonDocument { { "getMore", id }, { "collection", "c" } }, 43);
    }

    [Fact]
    public void Idle_cursors_are_closed_after_the_idle_timeout()
    {
        var s = new EngineSession(new Replication.Testing.InMemoryMongo.Engine.MongoEngineOptions { CursorIdleTimeout = TimeSpan.Zero });
        s.Insert("c", Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", i } }).ToArray());
        var abandoned = EngineSession.CursorId(s.Ok(new BsonDocument { { "find", "c" }, { "batchSize", 1 } }));
        // Opening another cursor sweeps the idle ones.
        s.Ok(new BsonDocument { { "find", "c" }, { "batchSize", 1 } });
        s.Fails(new BsonDocument { { "getMore", abandoned }, { "collection", "c" } }, 43);
    }

    [Fact]
    public void CollStats_and_dbStats_report_counts_and_sizes()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 2 } });
        var coll = s.Ok(new BsonDocument { { "collStats", "c" } });
        Assert.Equal(new BsonInt32(2), coll["count"]);
        Assert.Equal(new BsonInt64(2 * 14), coll["size"]);
        Assert.Equal(new BsonInt64(2), s.Ok(new BsonDocument { { "dbStats", 1 } })["objects"]);
        s.Fails(new BsonDocument { { "collStats", "missing" } }, 26);
    }

    [Fact]
    public void Find_applies_filter_sort_skip_limit_and_projection()
    {
        var s = new EngineSession();
        s.Insert("c",
            new BsonDocument { { "_id", 1 }, { "a", 5 }, { "b", "x" } },
            new BsonDocument { { "_id", 2 }, { "a", 3 }, { "b", "y" } },
            new BsonDocument { { "_id", 3 }, { "a", 9 }, { "b", "z" } },
            new BsonDocument { { "_id", 4 }, { "a", 1 }, { "b", "w" } });
        var reply = s.Ok(new BsonDocument
        {
            { "find", "c" },
            { "filter", new BsonDocument { { "a", new BsonDocument { { "$gt", 1 } } } } },
            { "sort", new BsonDocument { { "a", -1 } } },
            { "skip", 1 },
            { "limit", 2 },
            { "projection", new BsonDocument { { "b", 1 }, { "_id", 0 } } },
        });
        Assert.Equal([new BsonDocument { { "b", "x" } }, new BsonDocument { { "b", "y" } }], EngineSession.Batch(reply, "firstBatch"));
        Assert.Equal(0, EngineSession.CursorId(reply));
    }
}
