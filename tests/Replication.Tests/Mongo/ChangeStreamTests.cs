using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

public sealed class ChangeStreamTests : MongoServerTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A driver change-stream cursor read event by event: events of a batch not yet taken stay queued for the next
    /// take, and <see cref="ResumeToken"/> is the position after the last event taken (or the newer post-batch token).
    /// </summary>
    private sealed class Events(IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor) : IDisposable
    {
        private readonly Queue<ChangeStreamDocument<BsonDocument>> _pending = new();

        public BsonDocument? ResumeToken { get; private set; }

        public async Task<List<ChangeStreamDocument<BsonDocument>>> TakeAsync(int count, CancellationToken cancellationToken = default)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            var events = new List<ChangeStreamDocument<BsonDocument>>();
            while (events.Count < count)
            {
                if (_pending.TryDequeue(out var change))
                {
                    ResumeToken = change.ResumeToken;
                    events.Add(change);
                    continue;
                }
                if (!await cursor.MoveNextAsync(timeout.Token)) break;
                foreach (var e in cursor.Current) _pending.Enqueue(e);
                if (_pending.Count == 0 && cursor.GetResumeToken() is { } token) ResumeToken = token;
            }
            return events;
        }

        public void Dispose() => cursor.Dispose();
    }

    private static ChangeStreamOptions Fast(ChangeStreamOptions? options = null)
    {
        options ??= new ChangeStreamOptions();
        options.MaxAwaitTime = TimeSpan.FromMilliseconds(200);
        return options;
    }

    private async Task<BsonDocument> HelloAsync() =>
        await Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument { { "hello", 1 } }, ReadPreference.Primary);

    [Fact]
    public async Task A_collection_stream_sees_inserts_updates_and_deletes_with_their_resume_tokens()
    {
        var collection = Collection();
        using var stream = new Events(await collection.WatchAsync(Fast(new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup })));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });
        await collection.UpdateOneAsync(new BsonDocument { { "_id", 1 } }, new BsonDocument { { "$set", new BsonDocument { { "v", 2 } } } });
        var events = await stream.TakeAsync(2);
        // updateLookup reads the document when the event is read, so look it up before deleting it.
        Assert.Equal(new BsonInt32(2), events[1].FullDocument["v"]);
        await collection.DeleteOneAsync(new BsonDocument { { "_id", 1 } });
        events.AddRange(await stream.TakeAsync(1));

        Assert.Equal([ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Delete], events.Select(e => e.OperationType));
        Assert.All(events, e => Assert.NotNull(e.ResumeToken));
        Assert.Equal(events[2].ResumeToken, stream.ResumeToken);
    }

    [Fact]
    public async Task A_stream_resumes_after_a_saved_token_without_repeating_or_losing_events()
    {
        var collection = Collection();
        BsonDocument saved;
        using (var stream = new Events(await collection.WatchAsync(Fast())))
        {
            for (var i = 1; i <= 3; i++) await collection.InsertOneAsync(new BsonDocument { { "_id", i } });
            var first = await stream.TakeAsync(2);
            saved = stream.ResumeToken!;
            Assert.Equal(first[1].ResumeToken, saved);
        }
        for (var i = 4; i <= 5; i++) await collection.InsertOneAsync(new BsonDocument { { "_id", i } });

        using var resumed = new Events(await collection.WatchAsync(Fast(new ChangeStreamOptions { ResumeAfter = saved })));
        var rest = await resumed.TakeAsync(3);
        Assert.Equal([new BsonInt32(3), new BsonInt32(4), new BsonInt32(5)], rest.Select(e => e.DocumentKey["_id"]));
    }

    [Fact]
    public async Task Database_and_deployment_streams_see_every_collection()
    {
        using var database = new Events(await Client.GetDatabase("shop").WatchAsync(Fast()));
        using var deployment = new Events(await Client.WatchAsync(Fast()));
        await Collection("a", "shop").InsertOneAsync(new BsonDocument { { "_id", 1 } });
        await Collection("b", "other").InsertOneAsync(new BsonDocument { { "_id", 1 } });

        var inShop = Assert.Single(await database.TakeAsync(1));
        Assert.Equal("a", inShop.CollectionNamespace.CollectionName);
        var everywhere = await deployment.TakeAsync(2);
        Assert.Equal(["shop", "other"], everywhere.Select(e => e.CollectionNamespace.DatabaseNamespace.DatabaseName));
    }

    [Fact]
    public async Task StartAtOperationTime_replays_events_from_that_time()
    {
        var collection = Collection();
        var before = (await HelloAsync())["operationTime"].AsBsonTimestamp;
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        using var stream = new Events(await collection.WatchAsync(Fast(new ChangeStreamOptions { StartAtOperationTime = before })));
        var change = Assert.Single(await stream.TakeAsync(1));
        Assert.Equal(ChangeStreamOperationType.Insert, change.OperationType);
    }

    [Fact]
    public async Task A_quiet_stream_still_reports_a_resume_token()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        using var stream = new Events(await collection.WatchAsync(Fast()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.TakeAsync(1, timeout.Token));
        Assert.NotNull(stream.ResumeToken);
    }

    [Fact]
    public async Task A_stream_survives_a_dropped_connection_by_resuming_or_fails_retryably()
    {
        var collection = Collection();
        using var stream = new Events(await collection.WatchAsync(Fast()));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        Assert.Single(await stream.TakeAsync(1));

        Server.KillConnections();
        await InsertRetryingAsync(collection, new BsonDocument { { "_id", 2 } });
        try
        {
            var change = Assert.Single(await stream.TakeAsync(1));
            Assert.Equal(new BsonInt32(2), change.DocumentKey["_id"]);
        }
        catch (MongoException e)
        {
            Assert.True(e is MongoConnectionException || e.HasErrorLabel("ResumableChangeStreamError") || e.HasErrorLabel("RetryableWriteError"), e.ToString());
        }
    }

    private static async Task InsertRetryingAsync(IMongoCollection<BsonDocument> collection, BsonDocument document)
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
