using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>dropDatabase: drops every collection of the database (one drop event each, then dropDatabase).</summary>
public sealed class DropDatabaseCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["dropDatabase"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            if (!db.IsEmpty) db.DropAll();
        }
        return new BsonDocument { { "dropped", invocation.Database } };
    }
}
