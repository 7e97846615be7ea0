using System.Threading.RateLimiting;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Coordinator.Verification;

/// <summary>A batch of source documents with their keys (see <see cref="KeyShape"/>); Note says why a key has no document (it could not be converted).</summary>
internal sealed record SourceDocument(byte[] Key, byte[]? Document, string? Note = null);

/// <summary>One independently readable part of a source table or collection (a Scan segment, an _id range).</summary>
internal delegate IAsyncEnumerable<IReadOnlyList<SourceDocument>> SourcePartition(CancellationToken cancellationToken);

/// <summary>What to compare: the source's partitions against one target collection.</summary>
internal sealed record NamespacePlan(NamespaceReport Report, KeyShape Key, bool FieldOrderMatters, IMongoCollection<RawBsonDocument> Target,
    IReadOnlyList<SourcePartition> Partitions);

/// <summary>
/// Compares one source table or collection with its target collection in two passes. First the source's partitions are
/// read in parallel, and each batch is looked up in the target by key: a key the target lacks is missing, a document
/// with other content is different. Every source key is also recorded (<see cref="SourceKeyLedger"/>). Then the target's
/// keys alone are streamed and each one the source did not have is extra. Memory holds a few batches and the key ledger.
/// </summary>
internal sealed class NamespaceVerifier(Replication.Configuration.VerifySettings options, RateLimiter? limiter, DifferenceBudget budget)
{
    public async Task RunAsync(NamespacePlan plan, CancellationToken cancellationToken)
    {
        using var ledger = new SourceKeyLedger(options.KeysInMemory);
        await Parallel.ForEachAsync(plan.Partitions, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (partition, ct) =>
            {
                await foreach (var batch in partition(ct).WithCancellation(ct).ConfigureAwait(false))
                {
                    foreach (var chunk in batch.Chunk(options.BatchSize)) await CompareAsync(plan, chunk, ledger, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        await FindExtrasAsync(plan, ledger, cancellationToken).ConfigureAwait(false);
    }

    private async Task CompareAsync(NamespacePlan plan, SourceDocument[] batch, SourceKeyLedger ledger, CancellationToken cancellationToken)
    {
        await ThrottleAsync(batch.Length, cancellationToken).ConfigureAwait(false);
        ledger.Add(batch.Select(d => d.Key));
        plan.Report.SourceRead(batch.Length);
        var found = new Dictionary<string, byte[]>(batch.Length, StringComparer.Ordinal);
        var lookup = batch.Where(d => d.Document is not null).Select(d => d.Key).ToList();
        if (lookup.Count > 0)
        {
            using var cursor = await plan.Target.FindAsync(plan.Key.FilterFor(lookup), new FindOptions<RawBsonDocument> { BatchSize = lookup.Count },
                cancellationToken).ConfigureAwait(false);
            while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var document in cursor.Current)
                {
                    using (document)
                    {
                        if (plan.Key.KeyOf(document) is { } key) found[Convert.ToBase64String(key)] = RawDocumentBytes.Of(document);
                    }
                }
            }
            await ThrottleAsync(found.Count, cancellationToken).ConfigureAwait(false);
        }
        foreach (var source in batch)
        {
            var key = KeyShape.Describe(source.Key);
            if (source.Document is null || !found.TryGetValue(Convert.ToBase64String(source.Key), out var target))
            {
                plan.Report.Found(new Difference(DifferenceKind.Missing, key, [], source.Note), budget);
                continue;
            }
            if (DocumentComparison.Differences(source.Document, target, plan.FieldOrderMatters, plan.Key.IgnoresTargetId) is { } fields)
                plan.Report.Found(new Difference(DifferenceKind.Different, key, fields), budget);
        }
    }

    private async Task FindExtrasAsync(NamespacePlan plan, SourceKeyLedger ledger, CancellationToken cancellationToken)
    {
        for (var round = 0; round < ledger.Rounds; round++)
        {
            var sourceKeys = ledger.Load(round);
            var find = new FindOptions<RawBsonDocument> { Projection = plan.Key.Projection(), BatchSize = Math.Max(1000, options.BatchSize) };
            using var cursor = await plan.Target.FindAsync(FilterDefinition<RawBsonDocument>.Empty, find, cancellationToken).ConfigureAwait(false);
            while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var page = cursor.Current.ToList();
                await ThrottleAsync(page.Count, cancellationToken).ConfigureAwait(false);
                if (round == 0) plan.Report.TargetRead(page.Count);
                foreach (var document in page)
                {
                    using (document)
                    {
                        var key = plan.Key.KeyOf(document);
                        if (key is null)
                        {
                            // convert.key = fields: a target document without the key fields has no source item.
                            if (round == 0) plan.Report.Found(new Difference(DifferenceKind.Extra, "(no key fields)", [], "the document lacks the table's key attributes"), budget);
                            continue;
                        }
                        var hash = SourceKeyLedger.Hash(key);
                        if (ledger.InRound(hash, round) && !sourceKeys.Contains(hash))
                            plan.Report.Found(new Difference(DifferenceKind.Extra, KeyShape.Describe(key), []), budget);
                    }
                }
            }
        }
    }

    private async Task ThrottleAsync(int documents, CancellationToken cancellationToken)
    {
        if (limiter is null) return;
        for (var left = documents; left > 0;)
        {
            var take = Math.Min(left, options.RateLimit);
            using var lease = await limiter.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            left -= take;
        }
    }
}
