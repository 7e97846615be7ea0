using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// findAndModify: updates or removes the first document (by <c>sort</c>) matching <c>query</c> and returns it as
/// <c>value</c> — before the change, or after it with <c>new: true</c> — with <c>lastErrorObject</c>.
/// </summary>
public sealed class FindAndModifyCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["findAndModify", "findandmodify"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        CollectionName.Validate(invocation.Database, name);
        var filter = invocation.Document("query");
        var sort = new SortSpec(invocation.Document("sort") ?? []);
        var remove = invocation.Flag("remove");
        var returnNew = invocation.Flag("new");
        var upsert = invocation.Flag("upsert");
        var projection = Projection.Parse(invocation.Document("fields"));
        var hasUpdate = invocation.Command.GetOrNull("update") is not null;
        if (remove && hasUpdate) throw MongoCommandException.FailedToParse("Cannot specify both an update and remove=true");
        if (!remove && !hasUpdate) throw MongoCommandException.FailedToParse("Either an update or remove=true must be specified");
        if (remove && (upsert || returnNew)) throw MongoCommandException.FailedToParse("Cannot specify both upsert=true and remove=true, or new=true and remove=true");

        var db = invocation.Instance.Catalog.Get(invocation.Database);
        BsonDocument lastError;
        BsonDocument? value;
        lock (db.Gate)
        {
            if (remove)
            {
                var collection = db.Find(name);
                var target = collection is null ? null : sort.Sort(CollectionScan.Matching(collection, filter, sort.IsEmpty ? 1 : 0)).FirstOrDefault();
                if (target is not null) collection!.Delete(target);
                lastError = new BsonDocument { { "n", target is null ? 0 : 1 } };
                value = target;
            }
            else
            {
                var update = UpdateApplier.Parse(invocation.Command.GetOrNull("update"));
                var result = UpdateExecution.Run(db, name, filter, update, multi: false, upsert, sort);
                lastError = new BsonDocument { { "n", result.Matched + (result.UpsertedId is null ? 0 : 1) }, { "updatedExisting", result.Matched > 0 } };
                if (result.UpsertedId is not null) lastError.Add("upserted", result.UpsertedId);
                value = returnNew ? result.After : result.Before;
            }
        }
        if (value is not null && projection is not null) value = projection.Apply(value);
        return new BsonDocument { { "lastErrorObject", lastError }, { "value", (BsonValue?)value ?? BsonNull.Value } };
    }
}
