using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Cluster;
using Replication.Configuration;

namespace Replication.ShardActors.MongoSource;

/// <summary>What one batch of change events did on the target.</summary>
/// <param name="LastEventTime">Cluster time of the batch's last event; null for an empty batch.</param>
public sealed record AppliedBatch(int Applied, int Skipped, int DeadLettered, int DdlReported, DateTime? LastEventTime, IReadOnlyDictionary<string, int> PerNamespace);

/// <summary>
/// Applies a batch of change events to the target, in order per document: the CRUD events of each target collection go
/// out as one ordered bulk write (collections in parallel), and a DDL event first flushes everything before it.
/// insert/replace → replace by <c>_id</c> with upsert; update → its post-image as a whole-document replace
/// (<c>updates = full-document</c>) or its update description as $set/$unset (<c>operator</c>) — never a partial document
/// as a replacement; delete → delete by <c>_id</c>. Every write is idempotent, so a batch applied twice (a crash before its
/// checkpoint) converges. A write the target refuses goes to the dead letters and the rest of the batch goes on. A
/// leased stream's writes (target and dead letters, DDL included) all go through its <see cref="LeaseFence"/>.
/// </summary>
public sealed class ChangeApplier(IMongoClient target, NamespaceMap map, MongoSourceSettings settings, TargetPreparer preparer,
    MongoDeadLetters deadLetters, ILogger logger)
{
    private sealed record PendingWrite(WriteModel<RawBsonDocument> Model, string SourceNamespace, BsonValue Key, string Operation);

    /// <param name="fence">A leased stream's fence (in a cluster); null on a single node.</param>
    public async Task<AppliedBatch> ApplyAsync(IReadOnlyList<RawBsonDocument> events, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, (CollectionNamespace Target, List<PendingWrite> Writes)>(StringComparer.Ordinal);
        var perNamespace = new Dictionary<string, int>(StringComparer.Ordinal);
        int applied = 0, skipped = 0, dead = 0, reported = 0;
        DateTime? last = null;
        foreach (var e in events)
        {
            var operation = e["operationType"].AsString;
            if (e.TryGetValue("clusterTime", out var time) && time is BsonTimestamp ts) last = DateTime.UnixEpoch.AddSeconds(ts.Timestamp);
            if (operation == "invalidate") continue;
            var ns = e["ns"].AsBsonDocument;
            var database = ns["db"].AsString;
            var collection = ns.TryGetValue("coll", out var c) ? c.AsString : null;
            if (operation is "insert" or "replace" or "update" or "delete")
            {
                if (collection is null || !map.Includes(database, collection))
                {
                    skipped++;
                    continue;
                }
                var source = new CollectionNamespace(database, collection);
                var key = BsonDocumentCopy.Of(e["documentKey"]["_id"]);
                var writes = Writes(operation, e, key);
                if (writes.Count == 0)
                {
                    skipped++;
                    continue;
                }
                var targetNs = map.Target(source);
                if (!pending.TryGetValue(targetNs.FullName, out var group)) pending[targetNs.FullName] = group = (targetNs, []);
                foreach (var write in writes) group.Writes.Add(new PendingWrite(write, source.FullName, key, operation));
                perNamespace[source.FullName] = perNamespace.GetValueOrDefault(source.FullName) + 1;
                applied++;
                continue;
            }
            // A DDL event: everything before it lands first, so a drop or rename sees the writes that preceded it.
            dead += await FlushAsync(pending, fence, cancellationToken).ConfigureAwait(false);
            if (await fence.GuardAsync(token => ApplyDdlAsync(operation, e, database, collection, token), cancellationToken).ConfigureAwait(false)) applied++;
            else reported++;
        }
        dead += await FlushAsync(pending, fence, cancellationToken).ConfigureAwait(false);
        return new AppliedBatch(applied - dead, skipped, dead, reported, last, perNamespace);
    }

    private List<WriteModel<RawBsonDocument>> Writes(string operation, RawBsonDocument e, BsonValue key)
    {
        var byId = new BsonDocument("_id", key);
        switch (operation)
        {
            case "insert" or "replace":
                return [new ReplaceOneModel<RawBsonDocument>(byId, (RawBsonDocument)e["fullDocument"]) { IsUpsert = true }];
            case "delete":
                return [new DeleteOneModel<RawBsonDocument>(byId)];
        }
        if (settings.Updates == UpdateApplication.FullDocument)
        {
            // The post-image (updateLookup) is the whole current document; null when the document is gone since, and then a
            // delete follows in the stream.
            return e.TryGetValue("fullDocument", out var full) && full is RawBsonDocument document
                ? [new ReplaceOneModel<RawBsonDocument>(byId, document) { IsUpsert = true }]
                : [];
        }
        return OperatorUpdates(byId, (BsonDocument)BsonDocumentCopy.Of(e["updateDescription"]));
    }

    /// <summary>
    /// The update description as operators: truncated arrays first ($push with $slice), then $set of the updated fields and
    /// $unset of the removed ones. Never upserts: a document missing on the target was deleted later in the stream.
    /// </summary>
    private static List<WriteModel<RawBsonDocument>> OperatorUpdates(BsonDocument byId, BsonDocument description)
    {
        var writes = new List<WriteModel<RawBsonDocument>>();
        if (description.TryGetValue("truncatedArrays", out var truncated) && truncated is BsonArray { Count: > 0 } arrays)
        {
            var push = new BsonDocument();
            foreach (var t in arrays.Cast<BsonDocument>())
                push[t["field"].AsString] = new BsonDocument { { "$each", new BsonArray() }, { "$slice", t["newSize"] } };
            writes.Add(new UpdateOneModel<RawBsonDocument>(byId, new BsonDocument("$push", push)));
        }
        var update = new BsonDocument();
        if (description.TryGetValue("updatedFields", out var set) && set is BsonDocument { ElementCount: > 0 } fields) update["$set"] = fields;
        if (description.TryGetValue("removedFields", out var removed) && removed is BsonArray { Count: > 0 } names)
            update["$unset"] = new BsonDocument(names.Select(n => new BsonElement(n.AsString, "")));
        if (update.ElementCount > 0) writes.Add(new UpdateOneModel<RawBsonDocument>(byId, update));
        return writes;
    }

    /// <summary>Writes the pending CRUD events, one ordered bulk write per target collection; returns how many were dead-lettered.</summary>
    private async Task<int> FlushAsync(Dictionary<string, (CollectionNamespace Target, List<PendingWrite> Writes)> pending, LeaseFence? fence,
        CancellationToken cancellationToken)
    {
        if (pending.Count == 0) return 0;
        var results = await Task.WhenAll(pending.Values.Select(g => WriteAsync(g.Target, g.Writes, fence, cancellationToken))).ConfigureAwait(false);
        pending.Clear();
        return results.Sum();
    }

    private async Task<int> WriteAsync(CollectionNamespace to, List<PendingWrite> writes, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var collection = target.GetDatabase(to.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(to.CollectionName);
        var dead = 0;
        for (var start = 0; start < writes.Count;)
        {
            try
            {
                var from = start;
                await fence.GuardAsync(token => collection.BulkWriteAsync(writes.Skip(from).Select(w => w.Model), new BulkWriteOptions { IsOrdered = true }, token),
                    cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (MongoBulkWriteException<RawBsonDocument> e) when (e.WriteErrors.Count > 0 && e.WriteConcernError is null)
            {
                // Ordered: everything before the failed write landed, nothing after it was tried.
                var failed = start + e.WriteErrors[0].Index;
                await fence.GuardAsync(token => DeadLetterAsync(to, writes[failed], e.WriteErrors[0], token), cancellationToken).ConfigureAwait(false);
                dead++;
                start = failed + 1;
            }
        }
        return dead;
    }

    private Task DeadLetterAsync(CollectionNamespace to, PendingWrite write, BulkWriteError error, CancellationToken cancellationToken) =>
        deadLetters.AddAsync("incremental", write.SourceNamespace, to.FullName, write.Key, write.Operation, error,
            write.Model is ReplaceOneModel<RawBsonDocument> replace ? replace.Replacement : null, cancellationToken);

    /// <summary>Applies (or, with <c>ddl = report</c>, only reports) one DDL event; returns whether it was applied.</summary>
    private async Task<bool> ApplyDdlAsync(string operation, RawBsonDocument e, string database, string? collection, CancellationToken cancellationToken)
    {
        var source = collection is null ? null : new CollectionNamespace(database, collection);
        var selected = source is not null && map.Includes(source);
        if (operation == "rename")
        {
            var to = e["to"].AsBsonDocument;
            var renamed = new CollectionNamespace(to["db"].AsString, to["coll"].AsString);
            if (!selected && !map.Includes(renamed)) return true;
            if (settings.Ddl == DdlPolicy.Report) return Reported(operation, source!.FullName + " → " + renamed.FullName);
            if (selected && map.Includes(renamed))
                await RenameAsync(map.Target(source!), map.Target(renamed), cancellationToken).ConfigureAwait(false);
            else if (selected) await DropAsync(map.Target(source!), cancellationToken).ConfigureAwait(false);
            else logger.LogWarning("{From} was renamed to {To}, which is selected: its documents are not copied by the change stream (a new full sync copies them)",
                source!.FullName, renamed.FullName);
            return true;
        }
        if (operation == "dropDatabase") return true; // each collection's drop came before it
        if (!selected) return true;
        if (settings.Ddl == DdlPolicy.Report) return Reported(operation, source!.FullName);
        var targetNs = map.Target(source!);
        var description = e.TryGetValue("operationDescription", out var d) && d is BsonDocument od ? (BsonDocument)BsonDocumentCopy.Of(od) : new BsonDocument();
        switch (operation)
        {
            case "create":
                await preparer.CreateCollectionAsync(targetNs, new BsonDocument { { "name", targetNs.CollectionName }, { "options", description } }, cancellationToken)
                    .ConfigureAwait(false);
                return true;
            case "drop":
                await DropAsync(targetNs, cancellationToken).ConfigureAwait(false);
                return true;
            case "createIndexes":
                foreach (var spec in description.GetValue("indexes", new BsonArray()).AsBsonArray.OfType<BsonDocument>())
                    await preparer.CreateIndexAsync(targetNs, spec, cancellationToken).ConfigureAwait(false);
                return true;
            case "dropIndexes":
                foreach (var spec in description.GetValue("indexes", new BsonArray()).AsBsonArray.OfType<BsonDocument>())
                    await DropIndexAsync(targetNs, spec["name"].AsString, cancellationToken).ConfigureAwait(false);
                return true;
            default:
                return Reported(operation, source!.FullName);
        }
    }

    private bool Reported(string operation, string what)
    {
        logger.LogWarning("DDL event {Operation} on {Namespace} not applied to the target (source.mongodb.ddl = {Policy})", operation, what,
            settings.Ddl == DdlPolicy.Report ? "report" : "apply; this event is not supported");
        return false;
    }

    private async Task DropAsync(CollectionNamespace ns, CancellationToken cancellationToken) =>
        await target.GetDatabase(ns.DatabaseNamespace.DatabaseName).DropCollectionAsync(ns.CollectionName, cancellationToken).ConfigureAwait(false);

    private async Task RenameAsync(CollectionNamespace from, CollectionNamespace to, CancellationToken cancellationToken)
    {
        try
        {
            await target.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument
            {
                { "renameCollection", from.FullName }, { "to", to.FullName }, { "dropTarget", true },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException e) when (e.Code == 26) // NamespaceNotFound: replayed after it was already renamed
        {
        }
    }

    private async Task DropIndexAsync(CollectionNamespace ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await target.GetDatabase(ns.DatabaseNamespace.DatabaseName).RunCommandAsync<BsonDocument>(new BsonDocument
            {
                { "dropIndexes", ns.CollectionName }, { "index", name },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException e) when (e.Code is 26 or 27) // already gone: a replay
        {
        }
    }
}
