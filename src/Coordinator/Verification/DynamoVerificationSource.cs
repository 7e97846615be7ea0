using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Coordinator.Discovery;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Conversion;

namespace Replication.Coordinator.Verification;

/// <summary>
/// DynamoDB → MongoDB: the tables the replication copies (same filter and collection naming as discovery), each read
/// by a parallel Scan whose items go through the product's own converter, so the bytes compared are the bytes it writes.
/// </summary>
internal sealed class DynamoVerificationSource(ReplicationSettings settings, DynamoTableCatalog catalog, DynamoScanClient scan, IMongoDatabase target)
{
    public async Task<IReadOnlyList<NamespacePlan>> PlanAsync(TableFilter narrowing, CancellationToken cancellationToken)
    {
        var filter = new TableFilter(settings.Filter.Include, settings.Filter.Exclude);
        var naming = new CollectionNaming(settings.Renames, settings.Target.Database);
        var plans = new List<NamespacePlan>();
        foreach (var table in filter.Apply(await catalog.ListTableNamesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Where(narrowing.Includes))
        {
            var collectionName = naming.CollectionFor(table);
            var info = await catalog.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
            var converter = new DynamoItemConverter(settings.Convert.Mode, settings.Convert.Key, info.KeySchema);
            var key = settings.Convert.Key == IdentityMode.Id
                ? KeyShape.Id
                : new KeyShape(info.KeySchema.RangeKey is { } range ? [info.KeySchema.HashKey, range] : [info.KeySchema.HashKey]);
            var collection = target.GetCollection<RawBsonDocument>(collectionName);
            var targetEstimate = await collection.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var report = new NamespaceReport(table, $"{target.DatabaseNamespace.DatabaseName}.{collectionName}",
                $"~{info.ItemCount} items (DescribeTable's ItemCount, refreshed by DynamoDB about every 6 hours)", $"~{targetEstimate} documents (metadata)");
            var segments = settings.Verify.Parallelism;
            var partitions = Enumerable.Range(0, segments).Select(s => (SourcePartition)(ct => ScanSegmentAsync(table, s, segments, converter, key, ct))).ToList();
            plans.Add(new NamespacePlan(report, key, FieldOrderMatters: false, collection, partitions));
        }
        return plans;
    }

    private async IAsyncEnumerable<IReadOnlyList<SourceDocument>> ScanSegmentAsync(string table, int segment, int totalSegments, DynamoItemConverter converter,
        KeyShape key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? start = null;
        do
        {
            using var page = await scan.ScanAsync(new ScanSegmentRequest(table)
            {
                Segment = segment,
                TotalSegments = totalSegments,
                ExclusiveStartKeyJson = start,
                Limit = settings.FullSync.PageSize > 0 ? settings.FullSync.PageSize : null,
                ConsistentRead = settings.FullSync.ConsistentRead,
            }, converter, cancellationToken).ConfigureAwait(false);
            var batch = new List<SourceDocument>(page.Count);
            foreach (var bytes in page.Documents)
            {
                var document = bytes.ToArray();
                using var raw = new RawBsonDocument(document);
                batch.Add(new SourceDocument(key.KeyOf(raw) ?? throw new InvalidOperationException($"table '{table}': a converted item has no key"), document));
            }
            // The replication dead-letters these; they are in the source and not in the target, so they are missing.
            foreach (var failure in page.Failures)
                batch.Add(new SourceDocument(new BsonDocument("item", failure.Error.ItemKey ?? "(unknown key)").ToBson(), null,
                    $"cannot be converted ({failure.Error.Message}); the replication dead-letters it"));
            start = page.LastEvaluatedKeyJson;
            yield return batch;
        } while (start is not null);
    }
}
