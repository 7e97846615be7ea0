using MongoDB.Bson;
using Replication.Mongo;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

public sealed class ConnectionFailureTests : MongoServerTest
{
    [Fact]
    public async Task A_killed_connection_is_retried_or_surfaces_as_a_retryable_connection_exception()
    {
        var collection = Collection();
        await collection.InsertOneAsync(new BsonDocument { { "_id", 0 } });
        Assert.True(Server.KillConnections() > 0);

        // The driver either retries transparently (retryable reads/writes) or reports a network error; both are fine,
        // anything else is not. After at most a few attempts the client must be working again.
        var outcomes = new List<Exception?>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                await collection.InsertOneAsync(new BsonDocument { { "_id", attempt } });
                outcomes.Add(null);
                break;
            }
            catch (MongoConnectionException e)
            {
                Assert.True(e.IsRetryable);
                outcomes.Add(e);
            }
        }
        Assert.Null(outcomes[^1]);
        Assert.NotEmpty(await collection.FindToListAsync(new BsonDocument { { "_id", outcomes.Count } }));
    }

    [Fact]
    public async Task No_server_at_all_is_one_retryable_message_naming_the_host_and_the_cause()
    {
        int port;
        await using (var gone = new InMemoryMongoServer()) port = gone.Port;
        await using var client = new MongoClient($"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=500&connectTimeoutMS=500");
        var error = await Assert.ThrowsAsync<MongoConnectionException>(() => client.HelloAsync());
        Assert.True(error.IsRetryable);
        Assert.Equal(MongoConnectionFailure.Unreachable, error.Failure);
        Assert.StartsWith($"command 'hello' on database 'admin' failed: cannot reach MongoDB at 127.0.0.1:{port} within the server selection timeout: 127.0.0.1:{port}: ", error.Message);
        Assert.Contains("ConnectionRefused", error.Message);
        Assert.DoesNotContain("   at ", error.Message); // one line for the operator, no stack trace
    }

    [Fact]
    public async Task A_connection_killed_under_a_cursor_is_survived_or_fails_the_enumeration_with_a_retryable_connection_exception()
    {
        var collection = Collection();
        await collection.BulkWriteAsync(Enumerable.Range(0, 300)
            .Select(i => (WriteModel)new InsertOneModel(new BsonDocument { { "_id", i } }.ToBson())).ToList());
        var read = 0;
        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in collection.FindAsync(new BsonDocument(), new FindOptions { BatchSize = 10 }))
            {
                if (++read == 10) Server.KillConnections();
            }
        });
        // The server keeps the cursor, so a getMore on a fresh connection may finish the read; a getMore on the dead
        // one fails. Either is right; a partial read without an error, or any other exception, is not.
        if (error is null)
        {
            Assert.Equal(300, read);
            return;
        }
        var connection = Assert.IsType<MongoConnectionException>(error);
        Assert.True(connection.IsRetryable);
        Assert.Contains(Server.HostAndPort, connection.Message);
    }

    [Fact]
    public async Task Refused_credentials_are_one_non_retryable_message_naming_the_host_and_not_the_password()
    {
        await using var client = new MongoClient(
            $"mongodb://replicator:s3cret-pw@{Server.HostAndPort}/?directConnection=true&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000");
        var error = await Assert.ThrowsAsync<MongoConnectionException>(() => client.HelloAsync());
        Assert.Equal(MongoConnectionFailure.Authentication, error.Failure);
        Assert.False(error.IsRetryable);
        Assert.Contains($"MongoDB at {Server.HostAndPort} refused the credentials", error.Message);
        Assert.Contains("Authentication failed.", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_an_argument_error_that_does_not_repeat_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() => new MongoClient("mongodb://user:s3cret-pw@host:notaport/"));
        Assert.StartsWith("Invalid MongoDB connection string", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
    }
}
