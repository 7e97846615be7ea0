using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>distinct: the distinct values of <c>key</c> (array elements counted individually), in BSON order.</summary>
public sealed class DistinctCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["distinct"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var key = invocation.String("key") ?? throw MongoCommandException.FailedToParse("BSON field 'distinct.key' is missing but a required field");
        var query = invocation.Document("query");
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        List<BsonDocument> docs;
        lock (db.Gate)
        {
            var collection = db.Find(name);
            docs = collection is null ? [] : CollectionScan.Matching(collection, query);
        }
        var values = new SortedSet<BsonValue>(BsonValueComparer.Instance);
        foreach (var doc in docs)
            foreach (var v in FieldPath.Resolve(doc, key))
            {
                if (v is BsonArray a) values.UnionWith(a);
                else if (v is not null) values.Add(v);
            }
        return new BsonDocument { { "values", new BsonArray(values) } };
    }
}
