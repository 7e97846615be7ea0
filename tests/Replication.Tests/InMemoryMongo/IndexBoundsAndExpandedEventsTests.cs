using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.InMemoryMongo;

/// <summary>What the MongoDB source needs from the in-memory server, through the real driver: find's min/max index bounds and DDL change events.</summary>
public sealed class IndexBoundsAndExpandedEventsTests : IAsyncLifetime
{
    private InMemoryMongoServer _server = null!;
    private MongoClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new InMemoryMongoServer();
        _client = new MongoClient(_server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Min_and_max_bound_the_id_index_across_BSON_types_min_inclusive_max_exclusive()
    {
        var c = _client.GetDatabase("d").GetCollection<BsonDocument>("c");
        // Canonical order: numbers < strings < ObjectIds.
        await c.InsertManyAsync([new BsonDocument("_id", 1), new BsonDocument("_id", 5), new BsonDocument("_id", "a"), new BsonDocument("_id", "m"),
            new BsonDocument("_id", ObjectId.GenerateNewId())]);
        var options = new FindOptions<BsonDocument> { Hint = new BsonDocument("_id", 1), Sort = new BsonDocument("_id", 1),
            Min = new BsonDocument("_id", 5), Max = new BsonDocument("_id", "m") };
        var found = await (await c.FindAsync(FilterDefinition<BsonDocument>.Empty, options)).ToListAsync();
        Assert.Equal([new BsonInt32(5), new BsonString("a")], found.Select(d => d["_id"]));

        var noHint = await Assert.ThrowsAsync<MongoCommandException>(async () =>
            await (await c.FindAsync(FilterDefinition<BsonDocument>.Empty, new FindOptions<BsonDocument> { Min = new BsonDocument("_id", 1) })).ToListAsync());
        Assert.Equal(51173, noHint.Code);
    }

    [Fact]
    public async Task Create_createIndexes_and_dropIndexes_events_come_only_with_showExpandedEvents()
    {
        var options = new ChangeStreamOptions { ShowExpandedEvents = true, MaxAwaitTime = TimeSpan.FromMilliseconds(200) };
        using var expanded = await _client.WatchAsync(new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .As<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, BsonDocument>(), options);
        using var plain = await _client.WatchAsync(new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .As<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, BsonDocument>(),
            new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(200) });
        var c = _client.GetDatabase("d").GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("a", 1), new CreateIndexOptions { Unique = true }));
        await c.Indexes.DropOneAsync("a_1");

        var events = await ReadAsync(expanded, 4);
        Assert.Equal(["create", "insert", "createIndexes", "dropIndexes"], events.Select(e => e["operationType"].AsString));
        Assert.Equal("_id_", events[0]["operationDescription"]["idIndex"]["name"].AsString);
        var index = events[2]["operationDescription"]["indexes"][0].AsBsonDocument;
        Assert.Equal(new BsonDocument("a", 1), index["key"].AsBsonDocument);
        Assert.True(index["unique"].ToBoolean());
        Assert.Equal("a_1", events[3]["operationDescription"]["indexes"][0]["name"].AsString);
        Assert.Equal(["insert"], (await ReadAsync(plain, 1)).Select(e => e["operationType"].AsString));
    }

    private static async Task<List<BsonDocument>> ReadAsync(IChangeStreamCursor<BsonDocument> cursor, int count)
    {
        var events = new List<BsonDocument>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (events.Count < count && DateTime.UtcNow < deadline && await cursor.MoveNextAsync()) events.AddRange(cursor.Current);
        return events;
    }
}
