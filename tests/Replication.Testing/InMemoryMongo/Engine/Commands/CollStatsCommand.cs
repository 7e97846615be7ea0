using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>collStats: document count and sizes (the BSON size of the documents), which tools use to estimate copy work.</summary>
public sealed class CollStatsCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["collStats"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.Find(name)
                ?? throw new MongoCommandException(MongoErrorCode.NamespaceNotFound, $"Collection [{invocation.Database}.{name}] not found.");
            var size = collection.Snapshot().Sum(d => (long)BsonSize.Of(d));
            var count = collection.Count;
            return new BsonDocument
            {
                { "ns", collection.FullName },
                { "size", size },
                { "count", count },
                { "avgObjSize", count == 0 ? 0 : (int)(size / count) },
                { "storageSize", size },
                { "nindexes", collection.Indexes.Count },
                { "indexNames", new BsonArray(collection.Indexes.Select(i => (BsonValue)i.Name)) },
                { "capped", collection.Options.GetOrNull("capped") is BsonBoolean { Value: true } },
            };
        }
    }
}
