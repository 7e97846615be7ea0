using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>insert: ordered stops at the first error, unordered carries on; each failure is a writeErrors entry.</summary>
public sealed class InsertCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["insert"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        CollectionName.Validate(invocation.Database, name);
        var documents = invocation.Array("documents")
            ?? throw MongoCommandException.FailedToParse("BSON field 'insert.documents' is missing but a required field");
        var ordered = invocation.Flag("ordered", true);
        var errors = new WriteErrors();
        var n = 0;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.GetOrCreate(name, out _);
            for (var i = 0; i < documents.Count; i++)
            {
                try
                {
                    if (documents[i] is not BsonDocument doc)
                        throw MongoCommandException.TypeMismatch($"BSON field 'insert.documents.{i}' is the wrong type, expected type 'object'");
                    collection.Insert(DocumentRules.PrepareForInsert(doc));
                    n++;
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
