using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>delete: statements <c>{q, limit}</c>, limit 0 deleting every match and 1 the first; reply <c>n</c>.</summary>
public sealed class DeleteCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["delete"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        CollectionName.Validate(invocation.Database, name);
        var statements = invocation.Array("deletes")
            ?? throw MongoCommandException.FailedToParse("BSON field 'delete.deletes' is missing but a required field");
        var ordered = invocation.Flag("ordered", true);
        var errors = new WriteErrors();
        var n = 0;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.Find(name);
            for (var i = 0; i < statements.Count; i++)
            {
                try
                {
                    if (statements[i] is not BsonDocument statement)
                        throw MongoCommandException.TypeMismatch($"BSON field 'delete.deletes.{i}' is the wrong type, expected type 'object'");
                    var filter = statement.GetOrNull("q") as BsonDocument
                        ?? throw MongoCommandException.FailedToParse("BSON field 'delete.deletes.q' is missing but a required field");
                    var limit = statement.GetOrNull("limit") is { } l && Numbers.TryGetInt64(l, out var v) ? v
                        : throw MongoCommandException.FailedToParse("BSON field 'delete.deletes.limit' is missing but a required field");
                    if (limit is not (0 or 1))
                        throw MongoCommandException.FailedToParse($"The limit field in delete objects must be 0 or 1. Got {limit}");
                    if (collection is null) continue;
                    foreach (var doc in CollectionScan.Matching(collection, filter, (int)limit))
                    {
                        collection.Delete(doc);
                        n++;
                    }
                }
                catch (MongoCommandException e)
                {
                    errors.Add(i, e);
                    if (ordered) break;
                }
            }
        }
        var reply = new BsonDocument { { "n", n } };
        errors.AddTo(reply);
        return reply;
    }
}
