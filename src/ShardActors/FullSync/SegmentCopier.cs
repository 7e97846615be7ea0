using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.ShardActors.Apply;
using Replication.ShardActors.Tables;

namespace Replication.ShardActors.FullSync;

/// <summary>Progress of one segment after a page was written and its position saved.</summary>
public sealed record SegmentPageWritten(string Table, int Segment, long Items, long DeadLettered, int ScannedCount, bool Last);

/// <summary>
/// Copies one Scan segment: a reader pages through the segment (items arrive already converted to BSON) into a
/// bounded queue, a writer bulk-writes each page and then checkpoints that page's LastEvaluatedKey — so memory stays
/// at a few pages whatever the table size, and a restart resumes after the last acknowledged page.
/// </summary>
public sealed class SegmentCopier(ReplicationServices services, TableContext table, int generation, int segment, int totalSegments, ILogger logger,
    LeaseFence? fence = null)
{
    /// <returns>True when the segment is copied to its end; false when the node's drain stopped it after a whole page.</returns>
    public async Task<bool> RunAsync(string? resumeAfterKey, Action<SegmentPageWritten> onPage, CancellationToken cancellationToken)
    {
        var settings = services.Settings.FullSync;
        var queue = Channel.CreateBounded<ScanPage>(new BoundedChannelOptions(settings.QueueCapacity) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Reading stops at once on a drain; the page being written finishes under cancellationToken alone.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, services.Drain.NewWorkStopped);
        var reading = ReadAsync(resumeAfterKey, queue.Writer, stopReading.Token);
        try
        {
            return await WriteAsync(queue.Reader, onPage, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (services.Drain.IsDraining && !cancellationToken.IsCancellationRequested)
        {
            return false; // the reader was stopped by the drain; every written page has its position saved
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await reading.ConfigureAwait(false); } catch (OperationCanceledException) { }
            while (queue.Reader.TryRead(out var unread)) unread.Dispose();
        }
    }

    private async Task ReadAsync(string? startKey, ChannelWriter<ScanPage> pages, CancellationToken cancellationToken)
    {
        var settings = services.Settings.FullSync;
        try
        {
            var key = startKey;
            while (true)
            {
                var page = await services.Scan.ScanAsync(new ScanSegmentRequest(table.Table)
                {
                    Segment = segment,
                    TotalSegments = totalSegments,
                    ExclusiveStartKeyJson = key,
                    Limit = settings.PageSize > 0 ? settings.PageSize : null,
                    ConsistentRead = settings.ConsistentRead,
                }, table.Converter, cancellationToken).ConfigureAwait(false);
                services.Metrics.ItemsScanned(table.Table, page.Count);
                try
                {
                    await pages.WriteAsync(page, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    page.Dispose();
                    throw;
                }
                if (page.IsLastPage) break;
                key = page.LastEvaluatedKeyJson;
            }
            pages.Complete();
        }
        catch (Exception e)
        {
            pages.Complete(e);
            throw;
        }
    }

    private async Task<bool> WriteAsync(ChannelReader<ScanPage> pages, Action<SegmentPageWritten> onPage, CancellationToken cancellationToken)
    {
        var writer = new TargetWriter(table.TargetIn(services.Target), services.Checkpoints, table.Table, "full-sync", table.Keys, logger,
            new TargetWriterOptions { StaleDocuments = services.Settings.StaleDocuments }, fence);
        await foreach (var page in pages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            using (page)
            {
                using var batch = services.Drain.TryBegin();
                if (batch is null) return false; // stopping: this page is neither written nor past the saved position
                await ThrottleAsync(page.Count, cancellationToken).ConfigureAwait(false);
                var writes = new TargetWrite[page.Documents.Count];
                for (var i = 0; i < writes.Length; i++) writes[i] = new TargetWrite(TargetWriteKind.Insert, default, page.Documents[i]);
                var summary = await writer.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
                foreach (var failure in page.Failures)
                {
                    var letter = new DeadLetterRecord(table.Table, table.Collection, failure.Error.ItemKey ?? "(unknown key)", "full-sync", failure.Error.Message, null,
                        ReadOnlyMemory<byte>.Empty) { SourceJson = failure.ItemJson };
                    await fence.GuardAsync(token => services.Checkpoints.AddDeadLetterAsync(letter, token), cancellationToken).ConfigureAwait(false);
                }
                var dead = summary.DeadLettered + page.Failures.Count;
                // Only now, with the page acknowledged by MongoDB, may the segment's position move past it.
                await fence.GuardAsync(token => services.Checkpoints.SaveSegmentPageAsync(table.Table, generation, segment, page.LastEvaluatedKeyJson,
                    summary.Total - summary.DeadLettered, fence?.Claim, token), cancellationToken).ConfigureAwait(false);
                services.Metrics.ItemsWritten(table.Table, summary.Total - summary.DeadLettered);
                if (dead > 0) services.Metrics.DeadLettered(table.Table, dead);
                services.Metrics.StaleDocuments(table.Table, "removed", summary.StaleRemoved);
                services.Metrics.StaleDocuments(table.Table, "kept", summary.StaleKept);
                onPage(new SegmentPageWritten(table.Table, segment, summary.Total - summary.DeadLettered, dead, page.ScannedCount, page.IsLastPage));
            }
        }
        return true;
    }

    private async Task ThrottleAsync(int items, CancellationToken cancellationToken)
    {
        if (services.FullSyncLimiter is not { } limiter || items == 0) return;
        var burst = services.Settings.FullSync.ItemsPerSecond;
        for (var left = items; left > 0;)
        {
            var take = Math.Min(left, burst);
            using var lease = await limiter.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            left -= take;
        }
    }
}
