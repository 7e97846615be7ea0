using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.ShardActors.MongoSource;

namespace Replication.Coordinator.Verification;

/// <summary>
/// MongoDB → MongoDB: every collection the namespace filter selects, renamed as the replication renames it. A large
/// collection is read as several <c>_id</c> ranges at once; documents are compared by <c>_id</c>, byte for byte (MongoDB
/// documents are ordered, so a field order that differs is a difference too).
/// </summary>
internal sealed class MongoVerificationSource(ReplicationSettings settings, IMongoClient source, IMongoClient target)
{
    /// <summary>A collection is split into ranges only when each range gets at least this many documents.</summary>
    internal const int MinDocumentsPerRange = 1000;

    public async Task<IReadOnlyList<NamespacePlan>> PlanAsync(Func<CollectionNamespace, bool> narrowing, CancellationToken cancellationToken)
    {
        var selection = new NamespaceMap(settings.Filter.Include, settings.Filter.Exclude, settings.Renames);
        var plans = new List<NamespacePlan>();
        var databases = await (await source.ListDatabaseNamesAsync(cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var database in databases.Where(selection.MayInclude).Order(StringComparer.Ordinal))
        {
            var collections = await (await source.GetDatabase(database).ListCollectionsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            // Views hold no documents of their own.
            foreach (var name in collections.Where(c => c.GetValue("type", "collection") != "view").Select(c => c["name"].AsString).Order(StringComparer.Ordinal))
            {
                var ns = new CollectionNamespace(database, name);
                if (!selection.Includes(ns) || !narrowing(ns)) continue;
                plans.Add(await PlanAsync(ns, selection.Target(ns), cancellationToken).ConfigureAwait(false));
            }
        }
        return plans;
    }

    private async Task<NamespacePlan> PlanAsync(CollectionNamespace ns, CollectionNamespace targetNs, CancellationToken cancellationToken)
    {
        var from = source.GetDatabase(ns.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(ns.CollectionName);
        var to = target.GetDatabase(targetNs.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(targetNs.CollectionName);
        var sourceEstimate = await from.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var targetEstimate = await to.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var report = new NamespaceReport(ns.FullName, targetNs.FullName, $"~{sourceEstimate} documents (metadata)", $"~{targetEstimate} documents (metadata)");
        var ranges = await IdRangesAsync(from, sourceEstimate, cancellationToken).ConfigureAwait(false);
        var partitions = ranges.Select(range => (SourcePartition)(ct => ReadAsync(from, range, ct))).ToList();
        return new NamespacePlan(report, KeyShape.Id, FieldOrderMatters: true, to, partitions);
    }

    /// <summary>
    /// Filters that together select each document exactly once: ranges of <c>_id</c> between split points found by
    /// skipping through the <c>_id</c> index, all within the type of the first <c>_id</c> (MongoDB compares only within a
    /// type in a query), plus one filter for every <c>_id</c> of another type.
    /// </summary>
    private async Task<IReadOnlyList<BsonDocument>> IdRangesAsync(IMongoCollection<RawBsonDocument> collection, long estimate, CancellationToken cancellationToken)
    {
        var count = (int)Math.Min(settings.Verify.Parallelism, Math.Max(1, estimate / MinDocumentsPerRange));
        if (count == 1) return [new BsonDocument()];
        var first = await IdAtAsync(collection, new BsonDocument(), 0, cancellationToken).ConfigureAwait(false);
        if (first is null || TypeAlias(first) is not { } type) return [new BsonDocument()];
        var splits = new List<BsonValue>();
        for (var i = 1; i < count; i++)
        {
            if (await IdAtAsync(collection, new BsonDocument("_id", new BsonDocument("$type", type)), estimate * i / count, cancellationToken).ConfigureAwait(false) is not { } split) break;
            if (splits.Count == 0 || !splits[^1].Equals(split)) splits.Add(split);
        }
        var ranges = new List<BsonDocument>();
        for (var i = 0; i <= splits.Count; i++)
        {
            var bounds = new BsonDocument("$type", type);
            if (i > 0) bounds.Add("$gte", splits[i - 1]);
            if (i < splits.Count) bounds.Add("$lt", splits[i]);
            ranges.Add(new BsonDocument("_id", bounds));
        }
        ranges.Add(new BsonDocument("_id", new BsonDocument("$not", new BsonDocument("$type", type))));
        return ranges;
    }

    private static async Task<BsonValue?> IdAtAsync(IMongoCollection<RawBsonDocument> collection, BsonDocument filter, long skip, CancellationToken cancellationToken)
    {
        var options = new FindOptions<RawBsonDocument>
        {
            Sort = new BsonDocument("_id", 1), Skip = (int)Math.Min(skip, int.MaxValue), Limit = 1, Projection = new BsonDocument("_id", 1),
        };
        using var cursor = await collection.FindAsync(filter, options, cancellationToken).ConfigureAwait(false);
        var document = await cursor.FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (document is null) return null;
        using (document) return BsonSerializer.Deserialize<BsonDocument>(RawDocumentBytes.Of(document))["_id"];
    }

    /// <summary>The $type alias of the bracket MongoDB compares <paramref name="id"/> in; null for a type not worth splitting.</summary>
    private static string? TypeAlias(BsonValue id) => id.BsonType switch
    {
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => "number",
        BsonType.String => "string",
        BsonType.ObjectId => "objectId",
        BsonType.DateTime => "date",
        BsonType.Binary => "binData",
        _ => null,
    };

    private async IAsyncEnumerable<IReadOnlyList<SourceDocument>> ReadAsync(IMongoCollection<RawBsonDocument> collection, BsonDocument range,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var cursor = await collection.FindAsync(range, new FindOptions<RawBsonDocument> { BatchSize = settings.Verify.BatchSize }, cancellationToken)
            .ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var batch = new List<SourceDocument>();
            foreach (var document in cursor.Current)
            {
                using (document) batch.Add(new SourceDocument(KeyShape.Id.KeyOf(document)!, RawDocumentBytes.Of(document)));
            }
            yield return batch;
        }
    }
}
