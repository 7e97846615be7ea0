using Replication.Mongo;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

/// <summary>A fresh in-memory server and a MongoDB.Driver client connected to it, per test class instance.</summary>
public abstract class MongoServerTest : IAsyncLifetime
{
    protected InMemoryMongoServer Server { get; private set; } = null!;
    protected MongoClient Client { get; private set; } = null!;

    protected virtual MongoClientOptions ClientOptions => new() { MaxPoolSize = 16 };

    protected virtual string ConnectionStringOptions => "&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000&socketTimeoutMS=30000";

    public Task InitializeAsync()
    {
        Server = new InMemoryMongoServer();
        Client = new MongoClient(Server.ConnectionString + ConnectionStringOptions, ClientOptions);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    protected MongoCollection Collection(string name = "items", string database = "test") =>
        Client.GetDatabase(database).GetCollection(name);
}
