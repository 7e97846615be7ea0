using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>What could not be created on the target (an index, collection options, a view), kept for /progress and the logs.</summary>
/// <param name="Namespace">The target namespace.</param>
/// <param name="Kind">"index" or "collection-options" (the metric's kind is "target-" and this).</param>
public sealed record TargetProblem(string Namespace, string Kind, string What, string Error, DateTime At);

/// <summary>
/// Makes the target ready for a collection's documents: creates the collection with the source's options (capped,
/// clustered, collation, validator…) and builds the source's secondary indexes (unique, compound, TTL, partial, sparse,
/// collation — every option listIndexes reports). Views are created as views. What the target refuses is reported, not
/// fatal: logged, counted (<c>replication_errors_total{kind="target-index"}</c>) and saved in the checkpoint database for /progress.
/// </summary>
public sealed class TargetPreparer(IMongoClient source, IMongoClient target, MongoSyncCheckpoints checkpoints, ReplicationMetrics metrics, ILogger logger)
{
    private static readonly HashSet<string> CreateOptions =
        ["capped", "size", "max", "collation", "validator", "validationLevel", "validationAction", "clusteredIndex", "expireAfterSeconds",
         "timeseries", "storageEngine", "indexOptionDefaults", "changeStreamPreAndPostImages"];

    /// <summary>Creates <paramref name="to"/> as <paramref name="from"/> is (options from listCollections); an existing target is kept.</summary>
    public async Task CreateCollectionAsync(CollectionNamespace to, BsonDocument listCollectionsEntry, CancellationToken cancellationToken)
    {
        var command = new BsonDocument("create", to.CollectionName);
        if (listCollectionsEntry.TryGetValue("options", out var options) && options is BsonDocument o)
            foreach (var option in o)
                if (CreateOptions.Contains(option.Name) || listCollectionsEntry.GetValue("type", "collection") == "view" && option.Name is "viewOn" or "pipeline")
                    command[option.Name] = option.Value;
        try
        {
            await target.GetDatabase(to.DatabaseNamespace.DatabaseName).RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException e) when (e.Code == 48) // NamespaceExists: a resumed copy, or a target prepared by hand
        {
        }
        catch (MongoCommandException e)
        {
            await ReportAsync(to, "collection-options", $"collection options {command.ToJson()}", e.Message, cancellationToken).ConfigureAwait(false);
            // The documents still need a home: a plain collection.
            if (command.ElementCount > 1) await CreatePlainAsync(to, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreatePlainAsync(CollectionNamespace to, CancellationToken cancellationToken)
    {
        try
        {
            await target.GetDatabase(to.DatabaseNamespace.DatabaseName).CreateCollectionAsync(to.CollectionName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException e) when (e.Code == 48)
        {
        }
    }

    /// <summary>Builds every secondary index of <paramref name="from"/> on <paramref name="to"/>, one at a time so one refusal does not stop the others.</summary>
    public async Task CopyIndexesAsync(CollectionNamespace from, CollectionNamespace to, CancellationToken cancellationToken)
    {
        var sourceCollection = source.GetDatabase(from.DatabaseNamespace.DatabaseName).GetCollection<BsonDocument>(from.CollectionName);
        var specs = await (await sourceCollection.Indexes.ListAsync(cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var spec in specs)
        {
            if (spec.GetValue("name", "").AsString == "_id_") continue;
            await CreateIndexAsync(to, spec, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates one index from its listIndexes / createIndexes-event specification on <paramref name="to"/>; a refusal is reported.</summary>
    public async Task CreateIndexAsync(CollectionNamespace to, BsonDocument spec, CancellationToken cancellationToken)
    {
        var index = new BsonDocument(spec.Where(e => e.Name is not ("v" or "ns")));
        var command = new BsonDocument { { "createIndexes", to.CollectionName }, { "indexes", new BsonArray { index } } };
        try
        {
            await target.GetDatabase(to.DatabaseNamespace.DatabaseName).RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException e)
        {
            await ReportAsync(to, "index", $"index {index.GetValue("name", "?")} {index.GetValue("key", new BsonDocument()).ToJson()}", e.Message, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async Task ReportAsync(CollectionNamespace ns, string kind, string what, string error, CancellationToken cancellationToken)
    {
        logger.LogWarning("could not create {What} on the target {Namespace}: {Error}", what, ns.FullName, error);
        metrics.Error(ns.FullName, "target-" + kind);
        await checkpoints.SaveTargetProblemAsync(new TargetProblem(ns.FullName, kind, what, error, DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
    }
}
