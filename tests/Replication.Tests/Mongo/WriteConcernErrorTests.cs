using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

/// <summary>The in-memory server's write-concern errors, as the real client receives them.</summary>
public sealed class WriteConcernErrorTests : MongoServerTest
{
    private static InsertOneModel<BsonDocument> Insert(int id) => new(new BsonDocument { { "_id", id } });

    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    [Fact]
    public async Task A_write_concern_error_alone_fails_the_bulk_with_no_write_errors_and_the_writes_applied()
    {
        var collection = Collection();
        Server.Engine.Instance.WriteConcernFaults.FailNext(1);

        var error = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() => collection.BulkWriteAsync([Insert(1), Insert(2)], Unordered));

        Assert.Empty(error.WriteErrors);
        var concern = Assert.IsType<WriteConcernError>(error.WriteConcernError);
        Assert.Equal(64, concern.Code);
        Assert.Equal("waiting for replication timed out", concern.Message);
        Assert.Equal(2, error.Result.InsertedCount);
        Assert.Equal(2, (await collection.Find(new BsonDocument()).ToListAsync()).Count);
        Assert.Equal(1, Server.Engine.Instance.WriteConcernFaults.Reported);
    }

    [Fact]
    public async Task A_write_concern_error_comes_with_the_write_errors_of_the_same_reply()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 } });
        Server.Engine.Instance.WriteConcernFaults.FailNext(1);

        var error = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() =>
            collection.BulkWriteAsync([Insert(1), Insert(2), Insert(3)], Unordered));

        Assert.Equal(1, Assert.Single(error.WriteErrors).Index);
        Assert.Equal(64, error.WriteConcernError?.Code);

        await collection.InsertOneAsync(new BsonDocument { { "_id", 4 } }); // armed for one command only
        Assert.Equal(1, Server.Engine.Instance.WriteConcernFaults.Reported);
    }
}
