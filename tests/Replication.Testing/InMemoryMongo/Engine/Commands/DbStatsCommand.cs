using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>dbStats: collection, object and size totals of one database.</summary>
public sealed class DbStatsCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["dbStats", "dbstats"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collections = db.Collections.ToList();
            var objects = collections.Sum(c => (long)c.Count);
            var size = collections.Sum(c => c.Snapshot().Sum(d => (long)BsonSize.Of(d)));
            return new BsonDocument
            {
                { "db", db.Name },
                { "collections", collections.Count },
                { "views", 0 },
                { "objects", objects },
                { "avgObjSize", objects == 0 ? 0.0 : (double)size / objects },
                { "dataSize", (double)size },
                { "storageSize", (double)size },
                { "indexes", collections.Sum(c => c.Indexes.Count) },
            };
        }
    }
}
