using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

/// <summary>A fresh in-memory server and a MongoDB.Driver client (made as the product makes it) connected to it, per test class instance.</summary>
public abstract class MongoServerTest : IAsyncLifetime
{
    protected InMemoryMongoServer Server { get; private set; } = null!;
    protected IMongoClient Client { get; private set; } = null!;

    protected virtual int MaxPoolSize => 16;

    protected virtual string ConnectionStringOptions => "&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000&socketTimeoutMS=30000";

    public Task InitializeAsync()
    {
        Server = new InMemoryMongoServer();
        Client = MongoClientFactory.Create(Server.ConnectionString + ConnectionStringOptions, MaxPoolSize);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    protected IMongoCollection<BsonDocument> Collection(string name = "items", string database = "test") =>
        Client.GetDatabase(database).GetCollection<BsonDocument>(name);
}
