using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>drop: removes a collection and its indexes; a missing collection is NamespaceNotFound ("ns not found"), as in 6.0.</summary>
public sealed class DropCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["drop"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.Find(name)
                ?? throw new MongoCommandException(MongoErrorCode.NamespaceNotFound, "ns not found");
            var indexes = collection.Indexes.Count;
            db.Drop(name);
            return new BsonDocument { { "nIndexesWas", indexes }, { "ns", $"{invocation.Database}.{name}" } };
        }
    }
}
