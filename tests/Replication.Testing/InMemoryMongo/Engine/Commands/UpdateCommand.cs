using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>update: statements <c>{q, u, upsert, multi}</c>; reply <c>n</c> (matched + upserted), <c>nModified</c>, <c>upserted</c>.</summary>
public sealed class UpdateCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["update"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        CollectionName.Validate(invocation.Database, name);
        var statements = invocation.Array("updates")
            ?? throw MongoCommandException.FailedToParse("BSON field 'update.updates' is missing but a required field");
        var ordered = invocation.Flag("ordered", true);
        var errors = new WriteErrors();
        var upserted = new BsonArray();
        int n = 0, modified = 0;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            for (var i = 0; i < statements.Count; i++)
            {
                try
                {
                    if (statements[i] is not BsonDocument statement)
                        throw MongoCommandException.TypeMismatch($"BSON field 'update.updates.{i}' is the wrong type, expected type 'object'");
                    var filter = statement.GetOrNull("q") as BsonDocument
                        ?? throw MongoCommandException.FailedToParse("BSON field 'update.updates.q' is missing but a required field");
                    var update = UpdateApplier.Parse(statement.GetOrNull("u"));
                    var multi = statement.GetOrNull("multi") is { } m && FilterMatcher.IsTruthy(m);
                    if (multi && update.IsReplacement)
                        throw MongoCommandException.FailedToParse("multi update is not supported for replacement-style update");
                    var upsert = statement.GetOrNull("upsert") is { } u && FilterMatcher.IsTruthy(u);
                    var result = UpdateExecution.Run(db, name, filter, update, multi, upsert);
                    n += result.Matched;
                    modified += result.Modified;
                    if (result.UpsertedId is not null)
                    {
                        n++;
                        upserted.Add(new BsonDocument { { "index", i }, { "_id", result.UpsertedId } });
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
        if (upserted.Count > 0) reply.Add("upserted", upserted);
        reply.Add("nModified", modified);
        errors.AddTo(reply);
        return reply;
    }
}
