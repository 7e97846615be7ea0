using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class IndexAndCatalogTests
{
    private static BsonDocument Index(BsonDocument key, string name, bool unique = false)
    {
        var spec = new BsonDocument { { "key", key }, { "name", name } };
        if (unique) spec.Add("unique", true);
        return spec;
    }

    private static BsonDocument CreateIndexes(string collection, params BsonDocument[] specs) =>
        new() { { "createIndexes", collection }, { "indexes", new BsonArray(specs) } };

    private static int WriteErrorCode(BsonDocument reply) => ((BsonInt32)((BsonDocument)((BsonArray)reply["writeErrors"]!)[0])["code"]!).Value;

    [Fact]
    public void CreateIndexes_reports_counts_and_creates_the_collection_automatically()
    {
        var s = new EngineSession();
        var reply = s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)));
        Assert.Equal(new BsonInt32(1), reply["numIndexesBefore"]);
        Assert.Equal(new BsonInt32(2), reply["numIndexesAfter"]);
        Assert.Equal(BsonBoolean.True, reply["createdCollectionAutomatically"]);
        var again = s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)));
        Assert.Equal(new BsonInt32(2), again["numIndexesAfter"]);
        Assert.Equal(BsonBoolean.False, again["createdCollectionAutomatically"]);
    }

    [Fact]
    public void A_unique_index_rejects_duplicates_including_missing_fields_as_null()
    {
        var s = new EngineSession();
        s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)));
        s.Insert("c", new BsonDocument { { "a", 1 } }, new BsonDocument { { "b", 1 } });
        var dup = s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "a", 1.0 } } } } });
        var error = (BsonDocument)((BsonArray)dup["writeErrors"]!)[0];
        Assert.Equal(new BsonInt32(11000), error["code"]);
        Assert.Equal(new BsonString("E11000 duplicate key error collection: test.c index: a_1 dup key: { a: 1.0 }"), error["errmsg"]);
        Assert.Equal(new BsonDocument { { "a", 1.0 } }, error["keyValue"]);
        Assert.Equal(new BsonDocument { { "a", 1 } }, error["keyPattern"]);
        var missing = s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "c", 1 } } } } });
        Assert.Equal(11000, WriteErrorCode(missing));
    }

    [Fact]
    public void A_compound_unique_index_on_dotted_paths_compares_the_whole_key()
    {
        var s = new EngineSession();
        s.Ok(CreateIndexes("c", Index(new BsonDocument { { "k.h", 1 }, { "k.r", 1 } }, "k", unique: true)));
        s.Insert("c",
            new BsonDocument { { "k", new BsonDocument { { "h", 1 }, { "r", 1 } } } },
            new BsonDocument { { "k", new BsonDocument { { "h", 1 }, { "r", 2 } } } });
        var dup = s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument { { "k", new BsonDocument { { "h", 1 }, { "r", 2 } } } } } } });
        Assert.Equal(11000, WriteErrorCode(dup));
        Assert.Contains("dup key: { k.h: 1, k.r: 2 }", ((BsonString)((BsonDocument)((BsonArray)dup["writeErrors"]!)[0])["errmsg"]!).Value);
    }

    [Fact]
    public void An_update_that_would_duplicate_a_unique_key_fails_and_leaves_the_document()
    {
        var s = new EngineSession();
        s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)));
        s.Insert("c", new BsonDocument { { "_id", 1 }, { "a", 1 } }, new BsonDocument { { "_id", 2 }, { "a", 2 } });
        var reply = s.Ok(new BsonDocument { { "update", "c" }, { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 2 } } }, { "u", new BsonDocument { { "$set", new BsonDocument { { "a", 1 } } } } } } } } });
        Assert.Equal(11000, WriteErrorCode(reply));
        Assert.Equal(new BsonDocument { { "_id", 2 }, { "a", 2 } }, s.FindAll("c", new BsonDocument { { "_id", 2 } })[0]);
        // The key freed by deleting a document can be reused.
        s.Ok(new BsonDocument { { "delete", "c" }, { "deletes", new BsonArray { new BsonDocument { { "q", new BsonDocument { { "_id", 1 } } }, { "limit", 1 } } } } });
        s.Insert("c", new BsonDocument { { "_id", 3 }, { "a", 1 } });
    }

    [Fact]
    public void Building_a_unique_index_over_existing_duplicates_fails_with_11000()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument { { "a", 1 } }, new BsonDocument { { "a", 1 } });
        s.Fails(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)), 11000);
    }

    [Fact]
    public void Conflicting_index_specs_fail_as_mongodb_does()
    {
        var s = new EngineSession();
        s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1")));
        s.Fails(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "other")), 85);
        s.Fails(CreateIndexes("c", Index(new BsonDocument { { "b", 1 } }, "a_1")), 86);
        s.Fails(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true)), 85);
    }

    [Fact]
    public void ListIndexes_and_dropIndexes()
    {
        var s = new EngineSession();
        s.Ok(CreateIndexes("c", Index(new BsonDocument { { "a", 1 } }, "a_1", unique: true), Index(new BsonDocument { { "b", -1 } }, "b_-1")));
        var specs = EngineSession.Batch(s.Ok(new BsonDocument { { "listIndexes", "c" } }), "firstBatch");
        Assert.Equal(new BsonDocument { { "v", 2 }, { "key", new BsonDocument { { "_id", 1 } } }, { "name", "_id_" } }, specs[0]);
        Assert.Equal(new BsonDocument { { "v", 2 }, { "key", new BsonDocument { { "a", 1 } } }, { "name", "a_1" }, { "unique", true } }, specs[1]);
        s.Fails(new BsonDocument { { "dropIndexes", "c" }, { "index", "nope" } }, 27);
        s.Fails(new BsonDocument { { "dropIndexes", "c" }, { "index", "_id_" } }, 72);
        Assert.Equal(new BsonInt32(3), s.Ok(new BsonDocument { { "dropIndexes", "c" }, { "index", "a_1" } })["nIndexesWas"]);
        s.Ok(new BsonDocument { { "dropIndexes", "c" }, { "index", "*" } });
        Assert.Single(EngineSession.Batch(s.Ok(new BsonDocument { { "listIndexes", "c" } }), "firstBatch"));
        s.Fails(new BsonDocument { { "listIndexes", "missing" } }, 26);
    }

    [Fact]
    public void Create_and_listCollections_show_options_uuid_and_id_index()
    {
        var s = new EngineSession();
        s.Ok(new BsonDocument { { "create", "capped" }, { "capped", true }, { "size", 4096 } });
        s.Fails(new BsonDocument { { "create", "capped" } }, 48);
        s.Insert("plain", new BsonDocument());
        var all = EngineSession.Batch(s.Ok(new BsonDocument { { "listCollections", 1 } }), "firstBatch");
        Assert.Equal(["capped", "plain"], all.Select(c => ((BsonString)c["name"]!).Value));
        var capped = all[0];
        Assert.Equal(new BsonString("collection"), capped["type"]);
        Assert.Equal(new BsonDocument { { "capped", true }, { "size", 4096 } }, capped["options"]);
        var info = (BsonDocument)capped["info"]!;
        Assert.Equal(BsonBoolean.False, info["readOnly"]);
        Assert.Equal(BsonBinarySubType.UuidStandard, ((BsonBinaryData)info["uuid"]!).SubType);
        Assert.Equal(new BsonString("_id_"), ((BsonDocument)capped["idIndex"]!)["name"]);
        var filtered = s.Ok(new BsonDocument { { "listCollections", 1 }, { "filter", new BsonDocument { { "name", "plain" } } } });
        Assert.Single(EngineSession.Batch(filtered, "firstBatch"));
        Assert.Equal(new BsonString("test.$cmd.listCollections"), ((BsonDocument)filtered["cursor"]!)["ns"]);
    }

    [Fact]
    public void Drop_of_a_missing_collection_is_NamespaceNotFound()
    {
        var s = new EngineSession();
        var reply = s.Fails(new BsonDocument { { "drop", "missing" } }, 26);
        Assert.Equal(new BsonString("ns not found"), reply["errmsg"]);
        s.Insert("c", new BsonDocument());
        s.Ok(new BsonDocument { { "drop", "c" } });
        Assert.Empty(s.FindAll("c"));
    }

    [Fact]
    public void RenameCollection_moves_documents_and_honours_dropTarget()
    {
        var s = new EngineSession();
        s.Insert("a", new BsonDocument { { "_id", 1 } });
        s.Insert("b", new BsonDocument { { "_id", 2 } });
        s.Fails(new BsonDocument { { "renameCollection", "test.a" }, { "to", "test.b" } }, 48, "admin");
        s.Ok(new BsonDocument { { "renameCollection", "test.a" }, { "to", "test.b" }, { "dropTarget", true } }, "admin");
        Assert.Equal([new BsonDocument { { "_id", 1 } }], s.FindAll("b"));
        Assert.Empty(s.FindAll("a"));
        s.Fails(new BsonDocument { { "renameCollection", "test.a" }, { "to", "test.z" } }, 26, "admin");
    }

    [Fact]
    public void DropDatabase_and_listDatabases()
    {
        var s = new EngineSession();
        s.Insert("c", new BsonDocument());
        var names = ((BsonArray)s.Ok(new BsonDocument { { "listDatabases", 1 } }, "admin")["databases"]!).Cast<BsonDocument>().Select(d => d["name"]).ToList();
        Assert.Contains(new BsonString("test"), names);
        Assert.Equal(new BsonString("test"), s.Ok(new BsonDocument { { "dropDatabase", 1 } })["dropped"]);
        Assert.Empty((BsonArray)s.Ok(new BsonDocument { { "listDatabases", 1 } }, "admin")["databases"]!);
    }
}
