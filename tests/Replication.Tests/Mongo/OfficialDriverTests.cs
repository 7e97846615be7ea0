using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

/// <summary>The in-memory server as MongoDB.Driver's own API sees it: discovery, sessions, transactions.</summary>
public sealed class OfficialDriverTests : IAsyncLifetime
{
    private readonly InMemoryMongoServer _server = new();

    private MongoClient Connect(string options = "directConnection=true") =>
        new($"mongodb://{_server.HostAndPort}/?{options}&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000");

    [Fact]
    public async Task A_replica_set_connection_string_discovers_the_primary_from_hello()
    {
        using var client = Connect("replicaSet=rs0");
        var items = client.GetDatabase("test").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(new BsonDocument { { "_id", 1 } });
        Assert.Equal(1, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        var description = client.Cluster.Description;
        Assert.Equal(ClusterType.ReplicaSet, description.Type);
        Assert.Contains(description.Servers, s => s.Type == MongoDB.Driver.Core.Servers.ServerType.ReplicaSetPrimary);
    }

    [Fact]
    public async Task A_transaction_is_refused_at_its_first_statement_and_writes_nothing()
    {
        using var client = Connect();
        var items = client.GetDatabase("test").GetCollection<BsonDocument>("items");
        using var session = await client.StartSessionAsync();
        session.StartTransaction();
        var error = await Assert.ThrowsAsync<MongoDB.Driver.MongoCommandException>(() =>
            items.InsertOneAsync(session, new BsonDocument { { "_id", 1 } }));
        Assert.Equal(20, error.Code);
        Assert.Contains("transactions are not supported", error.Message);
        await session.AbortTransactionAsync();
        Assert.Equal(0, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task WithTransaction_gives_up_at_once_and_leaves_nothing_behind()
    {
        using var client = Connect();
        var items = client.GetDatabase("test").GetCollection<BsonDocument>("items");
        using var session = await client.StartSessionAsync();
        await Assert.ThrowsAsync<MongoDB.Driver.MongoCommandException>(() => session.WithTransactionAsync(async (s, ct) =>
        {
            await items.InsertOneAsync(s, new BsonDocument { { "_id", 1 } }, cancellationToken: ct);
            await items.InsertOneAsync(s, new BsonDocument { { "_id", 2 } }, cancellationToken: ct);
            return true;
        }));
        Assert.Equal(0, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Writes_in_a_session_with_lsid_and_txnNumber_are_accepted_and_applied()
    {
        using var client = Connect("directConnection=true&retryWrites=true");
        var items = client.GetDatabase("test").GetCollection<BsonDocument>("items");
        using var session = await client.StartSessionAsync();
        await items.InsertOneAsync(session, new BsonDocument { { "_id", 1 } });
        await items.ReplaceOneAsync(session, Builders<BsonDocument>.Filter.Eq("_id", 1), new BsonDocument { { "_id", 1 }, { "v", 2 } });
        var stored = await (await items.FindAsync(session, FilterDefinition<BsonDocument>.Empty)).SingleAsync();
        Assert.Equal(2, stored["v"].AsInt32);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
