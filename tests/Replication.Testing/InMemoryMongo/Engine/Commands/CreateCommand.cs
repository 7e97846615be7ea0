using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>create: an empty collection with the given options (kept and shown by listCollections); NamespaceExists if present.</summary>
public sealed class CreateCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["create"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate) db.Create(name, CommandOptions.Specific(invocation.Command));
        return [];
    }
}
