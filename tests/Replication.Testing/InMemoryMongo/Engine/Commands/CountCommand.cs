using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>count: matching documents after <c>skip</c> and <c>limit</c>; 0 for a missing collection.</summary>
public sealed class CountCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["count"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var query = invocation.Document("query");
        var skip = invocation.Int64("skip") ?? 0;
        var limit = Math.Abs(invocation.Int64("limit") ?? 0);
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        long n;
        lock (db.Gate)
        {
            var collection = db.Find(name);
            n = collection is null ? 0 : query is null or { ElementCount: 0 } ? collection.Count : CollectionScan.Matching(collection, query).Count;
        }
        n = Math.Max(0, n - skip);
        if (limit > 0) n = Math.Min(n, limit);
        return new BsonDocument { { "n", (int)n } };
    }
}
