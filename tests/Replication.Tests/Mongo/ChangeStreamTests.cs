using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Tests.Mongo;

public sealed class ChangeStreamTests : MongoServerTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<List<ChangeStreamEvent>> TakeAsync(MongoChangeStream stream, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<ChangeStreamEvent>();
        await foreach (var change in stream.WithCancellation(timeout.Token))
        {
            events.Add(change);
            if (events.Count == count) break;
        }
        return events;
    }

    private static ChangeStreamOptions Fast(ChangeStreamOptions? options = null) =>
        (options ?? new ChangeStreamOptions()) with { MaxAwaitTimeMS = 200 };

    [Fact]
    public async Task A_collection_stream_sees_inserts_updates_and_deletes_with_their_resume_tokens()
    {
        var collection = Collection();
        await using var stream = await collection.WatchAsync(Fast(new ChangeStreamOptions { FullDocument = "updateLookup" }));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });
        await collection.BulkWriteAsync([
            new UpdateOneModel(new BsonDocument { { "_id", 1 } }.ToBson(), new BsonDocument { { "$set", new BsonDocument { { "v", 2 } } } }.ToBson()),
        ]);
        var events = await TakeAsync(stream, 2);
        // updateLookup reads the document when the event is read, so look it up before deleting it.
        Assert.Equal(new BsonInt32(2), ((BsonDocument)events[1].ToBsonDocument()["fullDocument"]!)["v"]);
        await collection.BulkWriteAsync([new DeleteOneModel(new BsonDocument { { "_id", 1 } }.ToBson())]);
        events.AddRange(await TakeAsync(stream, 1));

        Assert.Equal(["insert", "update", "delete"], events.Select(e => e.OperationType));
        Assert.All(events, e => Assert.False(e.ResumeToken.IsEmpty));
        Assert.True(events[2].ResumeToken.Span.SequenceEqual(stream.ResumeToken.Span));
    }

    [Fact]
    public async Task A_stream_resumes_after_a_saved_token_without_repeating_or_losing_events()
    {
        var collection = Collection();
        BsonDocument saved;
        await using (var stream = await collection.WatchAsync(Fast()))
        {
            for (var i = 1; i <= 3; i++) await collection.InsertOneAsync(new BsonDocument { { "_id", i } });
            var first = await TakeAsync(stream, 2);
            saved = new RawBsonDocument(stream.ResumeToken.ToArray());
            Assert.Equal(new RawBsonDocument(first[1].ResumeToken.ToArray()), saved);
        }
        for (var i = 4; i <= 5; i++) await collection.InsertOneAsync(new BsonDocument { { "_id", i } });

        await using var resumed = await collection.WatchAsync(Fast(new ChangeStreamOptions { ResumeAfter = saved }));
        var rest = await TakeAsync(resumed, 3);
        Assert.Equal([new BsonInt32(3), new BsonInt32(4), new BsonInt32(5)],
            rest.Select(e => ((BsonDocument)e.ToBsonDocument()["documentKey"]!)["_id"]!));
    }

    [Fact]
    public async Task Database_and_deployment_streams_see_every_collection()
    {
        await using var database = await Client.GetDatabase("shop").WatchAsync(Fast());
        await using var deployment = await Client.WatchAsync(Fast());
        await Collection("a", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await Collection("b", "other").InsertOneAsync(new BsonDocument { { "_id", 1 } });

        var inShop = Assert.Single(await TakeAsync(database, 1));
        Assert.Equal(new BsonString("a"), ((BsonDocument)inShop.ToBsonDocument()["ns"]!)["coll"]);
        var everywhere = await TakeAsync(deployment, 2);
        Assert.Equal(["shop", "other"], everywhere.Select(e => ((BsonString)((BsonDocument)e.ToBsonDocument()["ns"]!)["db"]!).Value));
    }

    [Fact]
    public async Task StartAtOperationTime_replays_events_from_that_time()
    {
        var collection = Collection();
        var hello = await Client.HelloAsync();
        var before = (BsonTimestamp)hello["operationTime"]!;
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await using var stream = await collection.WatchAsync(Fast(new ChangeStreamOptions { StartAtOperationTime = before }));
        var change = Assert.Single(await TakeAsync(stream, 1));
        Assert.Equal("insert", change.OperationType);
    }

    [Fact]
    public async Task A_quiet_stream_still_reports_a_resume_token()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await using var stream = await collection.WatchAsync(Fast());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in stream.WithCancellation(timeout.Token)) { }
        });
        Assert.False(stream.ResumeToken.IsEmpty);
    }

    [Fact]
    public async Task A_stream_survives_a_dropped_connection_by_resuming_or_fails_retryably()
    {
        var collection = Collection();
        await using var stream = await collection.WatchAsync(Fast());
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        Assert.Single(await TakeAsync(stream, 1));

        Server.KillConnections();
        await InsertRetryingAsync(collection, new BsonDocument { { "_id", 2 } });
        try
        {
            var change = Assert.Single(await TakeAsync(stream, 1));
            Assert.Equal(new BsonInt32(2), ((BsonDocument)change.ToBsonDocument()["documentKey"]!)["_id"]);
        }
        catch (MongoException e)
        {
            Assert.True(e.IsRetryable, e.ToString());
        }
    }

    private static async Task InsertRetryingAsync(MongoCollection collection, BsonDocument document)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await collection.InsertOneAsync(document);
                return;
            }
            catch (MongoConnectionException) when (attempt < 5)
            {
            }
        }
    }
}
