using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Tests.InMemoryMongo;

public sealed class ChangeStreamTests
{
    private static BsonDocument Watch(BsonValue target, BsonDocument? options = null, params BsonDocument[] more)
    {
        var pipeline = new BsonArray { new BsonDocument { { "$changeStream", options ?? new BsonDocument() } } };
        foreach (var stage in more) pipeline.Add(stage);
        return new BsonDocument { { "aggregate", target }, { "pipeline", pipeline }, { "cursor", new BsonDocument() } };
    }

    private static BsonDocument GetMore(long id, string collection, int maxTimeMs = 50) =>
        new() { { "getMore", id }, { "collection", collection }, { "maxTimeMS", (long)maxTimeMs } };

    /// <summary>Reads events until <paramref name="count"/> arrived (generous overall deadline, no fixed sleeps).</summary>
    private static List<BsonDocument> Next(EngineSession s, long id, string collection, int count, string db = "test")
    {
        var events = new List<BsonDocument>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (events.Count < count && DateTime.UtcNow < deadline)
            events.AddRange(EngineSession.Batch(s.Ok(GetMore(id, collection), db), "nextBatch"));
        return events;
    }

    private static string Op(BsonDocument e) => ((BsonString)e["operationType"]!).Value;

    [Fact]
    public void A_collection_stream_reports_insert_update_replace_and_delete_in_mongodbs_shape()
    {
        var s = new EngineSession();
        s.Ok(new BsonDocument { { "create", "c" } });
        var opened = s.Ok(Watch("c"));
        var id = EngineSession.CursorId(opened);
        Assert.NotEqual(0, id);
        Assert.Empty(EngineSession.Batch(opened, "firstBatch"));
        Assert.IsType<BsonDocument>(((BsonDocument)opened["cursor"]!)["postBatchResumeToken"]);

        s.Insert("c", new BsonDocument { { "_id", 1 }, { "a", 1 }, { "b", 1 } });
        s.Insert("other", new BsonDocument { { "_id", 9 } });
        s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "u", new BsonDocument { { "$set", new BsonDocument { { "a", 2 } } }, { "$unset", new BsonDocument { { "b", 1 } } } } } } } } });
        s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "u", new BsonDocument { { "z", 1 } } } } } } });
        s.Ok(new BsonDocument { { "delete", "c" }, { "deletes", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "limit", 1 } } } } });

        var events = Next(s, id, "c", 4);
        Assert.Equal(["insert", "update", "replace", "delete"], events.Select(Op));

        var insert = events[0];
        Assert.Equal(["_id", "operationType", "clusterTime", "wallTime", "fullDocument", "ns", "documentKey"], insert.Names);
        Assert.IsType<BsonString>(((BsonDocument)insert["_id"]!)["_data"]);
        Assert.IsType<BsonTimestamp>(insert["clusterTime"]);
        Assert.IsType<BsonDateTime>(insert["wallTime"]);
        Assert.Equal(new BsonDocument { { "db", "test" }, { "coll", "c" } }, insert["ns"]);
        Assert.Equal(new BsonDocument { { "_id", 1 } }, insert["documentKey"]);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", 1 }, { "b", 1 } }, insert["fullDocument"]);

        var update = events[1];
        Assert.False(update.Contains("fullDocument"));
        Assert.Equal(new BsonDocument
        {
            { "updatedFields", new BsonDocument { { "a", 2 } } },
            { "removedFields", new BsonArray { "b" } },
            { "truncatedArrays", new BsonArray() },
        }, update["updateDescription"]);

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "z", 1 } }, events[2]["fullDocument"]);
        Assert.Equal(new BsonDocument { { "_id", 1 } }, events[3]["documentKey"]);
        Assert.False(events[3].Contains("fullDocument"));

        // Tokens and cluster times increase through the stream.
        var tokens = events.Select(e => ((BsonString)((BsonDocument)e["_id"]!)["_data"]!).Value).ToList();
        Assert.Equal(tokens.OrderBy(t => t, StringComparer.Ordinal), tokens);
    }

    [Fact]
    public void UpdateLookup_returns_the_current_document_with_update_events()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "n", 0 } });
        var id = EngineSession.CursorId(s.Ok(Watch("c", new BsonDocument { { "fullDocument", "updateLookup" } })));
        s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "u", new BsonDocument { { "$inc", new BsonDocument { { "n", 1 } } } } } } } } });
        var e = Assert.Single(Next(s, id, "c", 1));
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 1 } }, e["fullDocument"]);
    }

    [Fact]
    public void Resuming_after_a_token_replays_the_events_that_followed_it()
    {
        var s = new EngineSession();
        var id = EngineSession.CursorId(s.Ok(Watch("c")));
        s.Insert("c", new BsonDocument { { "_id", 1 } }, new BsonDocument { { "_id", 2 } }, new BsonDocument { { "_id", 3 } });
        var events = Next(s, id, "c", 3);
        s.Ok(new BsonDocument { { "killCursors", "c" }, { "cursors", new BsonArray { id } } });

        var resumed = s.Ok(Watch("c", new BsonDocument { { "resumeAfter", events[0]["_id"]! } }));
        var replay = EngineSession.Batch(resumed, "firstBatch");
        Assert.Equal(new BsonValue[] { 2, 3 }, replay.Select(e => ((BsonDocument)e["documentKey"]!)["_id"]!));
        Assert.Equal(replay[^1]["_id"], ((BsonDocument)resumed["cursor"]!)["postBatchResumeToken"]);
    }

    [Fact]
    public void StartAtOperationTime_includes_writes_at_or_after_that_time()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var time = (BsonTimestamp)s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "_id", 2 } } } } })["operationTime"]!;
        s.Insert("c", new BsonDocument { { "_id", 3 } });
        var batch = EngineSession.Batch(s.Ok(Watch("c", new BsonDocument { { "startAtOperationTime", time } })), "firstBatch");
        Assert.Equal(new BsonValue[] { 2, 3 }, batch.Select(e => ((BsonDocument)e["documentKey"]!)["_id"]!));
    }

    [Fact]
    public void A_token_no_longer_in_the_log_is_ChangeStreamHistoryLost()
    {
        var s = new EngineSession(new MongoEngineOptions { ChangeLogCapacity = 10 });
        var id = EngineSession.CursorId(s.Ok(Watch("c")));
        s.Insert("c", new BsonDocument { { "_id", 0 } });
        var first = Next(s, id, "c", 1)[0];
        s.Insert("c", Enumerable.Range(1, 50).Select(i => new BsonDocument { { "_id", i } }).ToArray());
        var reply = s.Fails(Watch("c", new BsonDocument { { "resumeAfter", first["_id"]! } }), 286);
        Assert.Equal(new BsonString("ChangeStreamHistoryLost"), reply["codeName"]);
        Assert.Equal(new BsonArray { "NonResumableChangeStreamError" }, reply["errorLabels"]);
    }

    [Fact]
    public async Task GetMore_waits_for_events_written_while_it_waits()
    {
        var s = new EngineSession();
        var id = EngineSession.CursorId(s.Ok(Watch("c")));
        var waiting = Task.Run(() => s.Ok(GetMore(id, "c", maxTimeMs: 30_000)));
        // Keep writing until the waiting getMore returns: it must wake up on a write rather than time out.
        var n = 0;
        while (await Task.WhenAny(waiting, Task.Delay(20)) != waiting) s.Insert("c", new BsonDocument { { "_id", n++ } });
        Assert.NotEmpty(EngineSession.Batch(await waiting, "nextBatch"));
    }

    [Fact]
    public void An_empty_getMore_still_returns_a_postBatchResumeToken_that_resumes_at_the_same_place()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var id = EngineSession.CursorId(s.Ok(Watch("c")));
        var empty = s.Ok(GetMore(id, "c", maxTimeMs: 1));
        Assert.Empty(EngineSession.Batch(empty, "nextBatch"));
        var token = (BsonDocument)((BsonDocument)empty["cursor"]!)["postBatchResumeToken"]!;
        s.Insert("c", new BsonDocument { { "_id", 2 } });
        var resumed = EngineSession.Batch(s.Ok(Watch("c", new BsonDocument { { "resumeAfter", token } })), "firstBatch");
        Assert.Equal(new BsonInt32(2), ((BsonDocument)Assert.Single(resumed)["documentKey"]!)["_id"]);
    }

    [Fact]
    public void Match_stages_after_changeStream_filter_events()
    {
        var s = new EngineSession();
        var id = EngineSession.CursorId(s.Ok(Watch("c", null, new BsonDocument { { "$match", new BsonDocument { { "operationType", "delete" } } } })));
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        s.Ok(new BsonDocument { { "delete", "c" }, { "deletes", new BsonArray { new BsonDocument { { "q", new BsonDocument() }, { "limit", 0 } } } } });
        Assert.Equal("delete", Op(Assert.Single(Next(s, id, "c", 1))));
    }

    [Fact]
    public void Dropping_the_watched_collection_reports_drop_then_invalidate_and_closes_the_cursor()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "_id", 1 } });
        var id = EngineSession.CursorId(s.Ok(Watch("c")));
        s.Ok(new BsonDocument { { "drop", "c" } });
        var reply = s.Ok(GetMore(id, "c"));
        var events = EngineSession.Batch(reply, "nextBatch");
        Assert.Equal(["drop", "invalidate"], events.Select(Op));
        Assert.Equal(0, EngineSession.CursorId(reply));
        // startAfter the invalidate opens a new stream on the recreated collection; resumeAfter may not.
        s.Fails(Watch("c", new BsonDocument { { "resumeAfter", events[1]["_id"]! } }), 260);
        var reopened = s.Ok(Watch("c", new BsonDocument { { "startAfter", events[1]["_id"]! } }));
        s.Insert("c", new BsonDocument { { "_id", 2 } });
        Assert.Equal("insert", Op(Assert.Single(Next(s, EngineSession.CursorId(reopened), "c", 1))));
    }

    [Fact]
    public void Rename_event_carries_the_target_namespace()
    {
        var s = new EngineSession();
        s.Insert("a", new BsonDocument());
        var id = EngineSession.CursorId(s.Ok(Watch(1)));
        s.Ok(new BsonDocument { { "renameCollection", "test.a" }, { "to", "test.b" } }, "admin");
        var e = Assert.Single(Next(s, id, "$cmd.aggregate", 1));
        Assert.Equal("rename", Op(e));
        Assert.Equal(new BsonDocument { { "db", "test" }, { "coll", "a" } }, e["ns"]);
        Assert.Equal(new BsonDocument { { "db", "test" }, { "coll", "b" } }, e["to"]);
    }

    [Fact]
    public void Database_and_cluster_streams_see_their_scope()
    {
        var s = new EngineSession();
        var dbStream = s.Ok(Watch(1));
        Assert.Equal(new BsonString("test.$cmd.aggregate"), ((BsonDocument)dbStream["cursor"]!)["ns"]);
        var clusterStream = s.Ok(Watch(1, new BsonDocument { { "allChangesForCluster", true } }), "admin");
        s.Fails(Watch(1), 73, "admin");

        s.Insert("x", new BsonDocument { { "_id", 1 } });
        s.Ok(new BsonDocument { { "insert", "y" }, { "documents", new BsonArray { new BsonDocument { { "_id", 2 } } } } }, "otherdb");
        s.Ok(new BsonDocument { { "dropDatabase", 1 } });

        var dbEvents = Next(s, EngineSession.CursorId(dbStream), "$cmd.aggregate", 4);
        Assert.Equal(["insert", "drop", "dropDatabase", "invalidate"], dbEvents.Select(Op));
        var clusterEvents = Next(s, EngineSession.CursorId(clusterStream), "$cmd.aggregate", 4, "admin");
        Assert.Equal(["insert", "insert", "drop", "dropDatabase"], clusterEvents.Select(Op));
        Assert.Equal(new BsonDocument { { "db", "otherdb" }, { "coll", "y" } }, clusterEvents[1]["ns"]);
    }
}
