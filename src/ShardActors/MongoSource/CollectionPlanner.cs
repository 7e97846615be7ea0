using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Prepares one source collection for its copy: drops the target first when asked (drop-target, or a re-sync),
/// creates it with the source's options, builds indexes first when <c>indexes = before</c>, splits it into <c>_id</c>
/// ranges and saves the plan. Until the plan is saved nothing of the collection is copied, so a restart plans it again.
/// A view is created as a view and has no ranges.
/// </summary>
public sealed class CollectionPlanner(IMongoClient source, IMongoClient target, MongoSyncCheckpoints checkpoints, TargetPreparer preparer,
    NamespaceMap map, MongoSourceSettings settings, int generation, bool dropTargets, ILogger logger)
{
    public async Task PlanAsync(CollectionNamespace from, BsonDocument listCollectionsEntry, CancellationToken cancellationToken)
    {
        var to = map.Target(from);
        var isView = listCollectionsEntry.GetValue("type", "collection").AsString == "view";
        if (dropTargets) await target.GetDatabase(to.DatabaseNamespace.DatabaseName).DropCollectionAsync(to.CollectionName, cancellationToken).ConfigureAwait(false);
        await preparer.CreateCollectionAsync(to, listCollectionsEntry, cancellationToken).ConfigureAwait(false);
        if (isView)
        {
            await checkpoints.SavePlanAsync(new CollectionCheckpoint(from.FullName, to.FullName, generation, 0, 0, true, true), [], cancellationToken).ConfigureAwait(false);
            return;
        }
        var indexesBuilt = settings.Indexes == IndexBuild.None;
        if (settings.Indexes == IndexBuild.Before)
        {
            await preparer.CopyIndexesAsync(from, to, cancellationToken).ConfigureAwait(false);
            indexesBuilt = true;
        }
        var collection = source.GetDatabase(from.DatabaseNamespace.DatabaseName).GetCollection<RawBsonDocument>(from.CollectionName);
        var estimated = await collection.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var bounds = await RangeSplitter.SplitAsync(collection, estimated, settings.RangeDocuments, cancellationToken).ConfigureAwait(false);
        var ranges = bounds.Select((b, i) => new RangeCheckpoint(MongoSyncCheckpoints.RangeId(generation, from.FullName, i), from.FullName, to.FullName,
            generation, i, b.Min, b.Max, null, 0, false)).ToList();
        await checkpoints.SavePlanAsync(new CollectionCheckpoint(from.FullName, to.FullName, generation, estimated, ranges.Count, indexesBuilt, false), ranges,
            cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Namespace} → {Target}: ~{Documents} documents in {Ranges} range(s)", from.FullName, to.FullName, estimated, ranges.Count);
    }
}
