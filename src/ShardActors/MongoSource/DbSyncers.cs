using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// The DB-syncers: <c>copiers</c> workers taking ranges from one queue (ranges of one collection spread over several
/// of them). A range that fails is retried from its checkpoint with back-off (1 s doubling to 30 s); the others go on.
/// </summary>
public sealed class DbSyncers(RangeCopier copier, ReplicationMetrics metrics, ILogger logger, int copiers)
{
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);

    public Task CopyAsync(IReadOnlyList<RangeCheckpoint> ranges, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = copiers, CancellationToken = cancellationToken },
            async (range, ct) => await CopyWithRetriesAsync(range, ct).ConfigureAwait(false));

    private async Task CopyWithRetriesAsync(RangeCheckpoint range, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var current = range;
        while (true)
        {
            try
            {
                await copier.CopyAsync(current, n =>
                {
                    metrics.ItemsWritten(range.Namespace, n);
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is MongoException or TimeoutException or IOException)
            {
                metrics.Error(range.Namespace, "copy");
                logger.LogWarning("copy of {Namespace} range {Index}: {Error}; retrying from its checkpoint in {Delay}", range.Namespace, range.Index, e.Message, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(LongestBackoff.Ticks, backoff.Ticks * 2));
                current = await copier.ReloadAsync(current, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
