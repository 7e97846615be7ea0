using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// A second reference for the catch-up, as <see cref="PlainCopy"/> is for the full sync: what a few lines of driver code
/// make of each change stream batch — inserts, replaces and updates written as their post-images (replace by _id, upsert),
/// deletes by _id, one ordered bulk write per collection, the collections in parallel — into a scratch database on the
/// target, with no checkpoints, fences or actors.
/// </summary>
public sealed class PlainApply(IMongoDatabase scratch)
{
    public async Task ApplyAsync(IReadOnlyList<RawBsonDocument> events, CancellationToken cancellationToken)
    {
        var writes = new Dictionary<string, List<WriteModel<RawBsonDocument>>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (Write(e) is not { } write) continue;
            var collection = e["ns"]["coll"].AsString;
            if (!writes.TryGetValue(collection, out var list)) writes[collection] = list = [];
            list.Add(write);
        }
        await Task.WhenAll(writes.Select(w => scratch.GetCollection<RawBsonDocument>(w.Key)
            .BulkWriteAsync(w.Value, new BulkWriteOptions { IsOrdered = true }, cancellationToken))).ConfigureAwait(false);
    }

    public Task DropAsync() => scratch.Client.DropDatabaseAsync(scratch.DatabaseNamespace.DatabaseName);

    private static WriteModel<RawBsonDocument>? Write(RawBsonDocument e)
    {
        var byId = new BsonDocument("_id", e["documentKey"]["_id"]);
        return e["operationType"].AsString switch
        {
            "delete" => new DeleteOneModel<RawBsonDocument>(byId),
            "insert" or "replace" or "update" when e.TryGetValue("fullDocument", out var full) && full is RawBsonDocument document =>
                new ReplaceOneModel<RawBsonDocument>(byId, document) { IsUpsert = true },
            _ => null,
        };
    }
}
