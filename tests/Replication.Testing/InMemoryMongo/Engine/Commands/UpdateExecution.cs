using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// One update statement (shared by update and findAndModify): finds the target(s), applies the update, or inserts
/// the upsert document. Runs under the database's gate, so a statement is atomic with respect to other commands.
/// </summary>
internal static class UpdateExecution
{
    public sealed record Result(int Matched, int Modified, BsonValue? UpsertedId, BsonDocument? Before, BsonDocument? After);

    public static Result Run(Database db, string collectionName, BsonDocument? filter, UpdateApplier update, bool multi, bool upsert, SortSpec? sort = null)
    {
        var collection = db.Find(collectionName);
        var targets = collection is null ? [] : CollectionScan.Matching(collection, filter, multi || sort is { IsEmpty: false } ? 0 : 1);
        if (sort is { IsEmpty: false }) targets = sort.Sort(targets);
        if (!multi && targets.Count > 1) targets = targets.GetRange(0, 1);

        if (targets.Count == 0)
        {
            if (!upsert) return new Result(0, 0, null, null, null);
            var inserted = update.ForUpsert(UpsertSeed.FromFilter(filter));
            db.GetOrCreate(collectionName, out _).Insert(inserted);
            return new Result(0, 0, inserted.GetOrNull("_id"), null, inserted);
        }

        var modified = 0;
        BsonDocument? before = null, after = null;
        foreach (var current in targets)
        {
            var outcome = update.Apply(current, isUpsertInsert: false);
            if (outcome.Changed)
            {
                collection!.Update(current, outcome.Document, outcome.UpdateDescription);
                modified++;
            }
            before ??= current;
            after ??= outcome.Document;
        }
        return new Result(targets.Count, modified, null, before, after);
    }
}
