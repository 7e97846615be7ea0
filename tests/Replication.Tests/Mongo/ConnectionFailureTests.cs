using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

/// <summary>The driver's connection, authentication and server-selection failures, as <see cref="MongoFailureTranslator"/> reports them.</summary>
public sealed class ConnectionFailureTests : MongoServerTest
{
    private static Task<BsonDocument> HelloAsync(IMongoClient client) =>
        MongoFailureTranslator.GuardAsync(client, "command 'hello' on database 'admin'",
            () => client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument { { "hello", 1 } }, ReadPreference.Primary));

    [Fact]
    public async Task A_killed_connection_is_retried_or_surfaces_as_a_retryable_connection_failure()
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
                await MongoFailureTranslator.GuardAsync(Client, "insert", async () =>
                {
                    await collection.InsertOneAsync(new BsonDocument { { "_id", attempt } });
                    return true;
                });
                outcomes.Add(null);
                break;
            }
            catch (MongoUnavailableException e)
            {
                Assert.True(e.IsRetryable);
                outcomes.Add(e);
            }
        }
        Assert.Null(outcomes[^1]);
        Assert.NotEmpty(await collection.Find(new BsonDocument { { "_id", outcomes.Count } }).ToListAsync());
    }

    [Fact]
    public async Task No_server_at_all_is_one_retryable_message_naming_the_host_and_the_cause()
    {
        int port;
        await using (var gone = new InMemoryMongoServer()) port = gone.Port;
        using var client = MongoClientFactory.Create($"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=500&connectTimeoutMS=500");
        var error = await Assert.ThrowsAsync<MongoUnavailableException>(() => HelloAsync(client));
        Assert.True(error.IsRetryable);
        Assert.Equal(MongoConnectionFailure.Unreachable, error.Failure);
        Assert.StartsWith($"command 'hello' on database 'admin' failed: cannot reach MongoDB at 127.0.0.1:{port} within the server selection timeout: 127.0.0.1:{port}: ", error.Message);
        Assert.Contains("ConnectionRefused", error.Message);
        Assert.DoesNotContain("   at ", error.Message); // one line for the operator, no stack trace
    }

    [Fact]
    public async Task A_connection_killed_under_a_cursor_is_survived_or_fails_the_enumeration_with_a_retryable_connection_failure()
    {
        var collection = Collection();
        await collection.InsertManyAsync(Enumerable.Range(0, 300).Select(i => new BsonDocument { { "_id", i } }));
        var read = 0;
        var error = await Record.ExceptionAsync(async () =>
        {
            using var cursor = await collection.FindAsync(new BsonDocument(), new FindOptions<BsonDocument> { BatchSize = 10 });
            while (await cursor.MoveNextAsync())
            {
                foreach (var _ in cursor.Current)
                {
                    if (++read == 10) Server.KillConnections();
                }
            }
        });
        // The server keeps the cursor, so a getMore on a fresh connection may finish the read; a getMore on the dead
        // one fails. Either is right; a partial read without an error, or any other exception, is not.
        if (error is null)
        {
            Assert.Equal(300, read);
            return;
        }
        var connection = Assert.IsType<MongoUnavailableException>(MongoFailureTranslator.Translate(error, "find on 'test.items'", Client));
        Assert.True(connection.IsRetryable);
        Assert.Contains(Server.HostAndPort, connection.Message);
    }

    [Fact]
    public async Task Refused_credentials_are_one_non_retryable_message_naming_the_host_and_not_the_password()
    {
        using var client = MongoClientFactory.Create(
            $"mongodb://replicator:s3cret-pw@{Server.HostAndPort}/?directConnection=true&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000");
        var error = await Assert.ThrowsAsync<MongoUnavailableException>(() => HelloAsync(client));
        Assert.Equal(MongoConnectionFailure.Authentication, error.Failure);
        Assert.False(error.IsRetryable);
        Assert.Contains($"MongoDB at {Server.HostAndPort} refused the credentials", error.Message);
        Assert.Contains("Authentication failed.", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_an_argument_error_that_does_not_repeat_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() => MongoClientFactory.Create("mongodb://user:s3cret-pw@host:notaport/"));
        Assert.StartsWith("Invalid MongoDB connection string", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
    }

    [Fact]
    public async Task The_client_sends_the_product_name_unless_the_connection_string_sets_appName_and_takes_the_pool_size()
    {
        using var named = MongoClientFactory.Create(Server.ConnectionString + "&appName=custom", maxPoolSize: 3);
        Assert.Equal("custom", named.Settings.ApplicationName);
        Assert.Equal(3, named.Settings.MaxConnectionPoolSize);
        Assert.Equal(MongoClientFactory.ApplicationName, Client.Settings.ApplicationName);
        await HelloAsync(named);
        Assert.Throws<ArgumentOutOfRangeException>(() => MongoClientFactory.Create(Server.ConnectionString, maxPoolSize: 0));
    }
}
