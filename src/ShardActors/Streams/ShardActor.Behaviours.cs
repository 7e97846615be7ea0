using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Dynamo;
using Replication.Dynamo.Http;
using Replication.ShardActors.Apply;

namespace Replication.ShardActors.Streams;

public sealed partial class ShardActor
{
    /// <summary>Polling a LATEST iterator for the first record written after the probe began.</summary>
    private void Preparing()
    {
        Receive<Poll>(_ => Fetch(limit: 1));
        ReceiveAsync<RecordsFetched>(async fetched =>
        {
            using var page = fetched.Page;
            if (page.Records.Count > 0)
            {
                var first = page.Records[0].SequenceNumber;
                await _services.Checkpoints.SaveStartPositionAsync(_table.Table, ShardId, first, cancellationToken: Stopping);
                _start = first;
                _tableActor.Tell(new ShardPrepared(ShardId, first), Self);
                Become(WaitingForIncremental);
                return;
            }
            if (page.ShardClosed)
            {
                // Closed with nothing written since the probe began: all it holds predates the scan, which covers it.
                await CloseAsync();
                return;
            }
            _iterator = page.NextShardIterator;
            ScheduleAfter(page);
        });
        // The full sync ended before any record arrived: nothing was missed, so the live iterator simply continues.
        Receive<BeginIncremental>(_ => Become(Processing));
        Receive<IteratorRenewed>(OnIteratorRenewed);
        Receive<Status.Failure>(OnFailure);
    }

    private void WaitingForIncremental()
    {
        ReceiveAsync<BeginIncremental>(_ => BeginProcessingAsync());
        Receive<Status.Failure>(OnFailure);
    }

    private void Processing()
    {
        Receive<Poll>(_ => Fetch(_services.Settings.Incremental.RecordsLimit));
        ReceiveAsync<RecordsFetched>(async fetched =>
        {
            using var page = fetched.Page;
            using var batch = _services.Drain.TryBegin();
            if (batch is null) return; // the node is stopping: this page is not applied and the position stays before it
            if (_oldestRecordUnchecked && TrimmedSinceFullSync(page) is { } trimmed)
            {
                ReportGap(trimmed);
                return;
            }
            if (page.Records.Count > 0) await ApplyAsync(page);
            if (page.ShardClosed)
            {
                await CloseAsync();
                return;
            }
            _iterator = page.NextShardIterator;
            ScheduleAfter(page);
        });
        Receive<BeginIncremental>(_ => { });
        Receive<IteratorRenewed>(OnIteratorRenewed);
        Receive<Status.Failure>(OnFailure);
    }

    /// <summary>Done; stays alive as the parent of the shard's children.</summary>
    private void Closed()
    {
        Receive<StartChildShards>(start =>
        {
            foreach (var child in start.Children)
            {
                if (Context.Child(child.ShardId).IsNobody())
                    Context.ActorOf(Props(_services, _table, _tableActor, child, ShardStartMode.Process), child.ShardId);
            }
        });
        Receive<BeginIncremental>(_ => { });
        Receive<Poll>(_ => { });
    }

    /// <summary>Stopped reading: the stream lost records this shard had not applied. The table decides what follows.</summary>
    private void Stalled()
    {
        Receive<Poll>(_ => { });
        Receive<BeginIncremental>(_ => { });
    }

    private async Task ApplyAsync(StreamRecordsPage page)
    {
        var plan = StreamBatchPlanner.Plan(page.Records);
        var summary = await _writer.WriteAsync(plan.Writes, Stopping);
        long staleRemoved = summary.StaleRemoved, staleKept = summary.StaleKept;
        foreach (var (record, lastOfKey) in plan.Unconvertible)
        {
            var failure = record.ConversionFailure;
            // The key's last change in this batch cannot be written: what the target holds for it is now stale.
            StaleDocumentOutcome? stale = lastOfKey ? await _writer.ResolveStaleDocumentAsync(record.KeyFilter, Stopping) : null;
            if (stale == StaleDocumentOutcome.Removed) staleRemoved++;
            if (stale == StaleDocumentOutcome.Kept) staleKept++;
            var letter = new DeadLetterRecord(_table.Table, _table.Collection,
                failure?.Error.ItemKey ?? "(unknown key)", "stream", failure?.Error.Message ?? "the record has no new image", null,
                ReadOnlyMemory<byte>.Empty, record.SequenceNumber.ToString()) { SourceJson = failure?.ItemJson, StaleDocument = stale };
            await _fence.GuardAsync(token => _services.Checkpoints.AddDeadLetterAsync(letter, token), Stopping);
        }

        // Every record of the page is now applied (collapsed into a later write of its key) or dead-lettered.
        var last = page.Records[^1];
        await _fence.GuardAsync(token => _services.Checkpoints.SaveShardPositionAsync(_table.Table, ShardId, last.SequenceNumber, last.ApproximateCreationDateTime,
            page.Records.Count, _fence?.Claim, token), Stopping);
        _lastApplied = last.SequenceNumber;
        _services.Metrics.RecordsApplied(_table.Table, page.Records.Count);
        var dead = summary.DeadLettered + plan.Unconvertible.Count;
        if (dead > 0) _services.Metrics.DeadLettered(_table.Table, dead);
        _services.Metrics.StaleDocuments(_table.Table, "removed", staleRemoved);
        _services.Metrics.StaleDocuments(_table.Table, "kept", staleKept);
        _services.Metrics.ShardPosition(_table.Table, ShardId, last.ApproximateCreationDateTime);
    }

    private async Task CloseAsync()
    {
        await _fence.GuardAsync(token => _services.Checkpoints.FinishShardAsync(_table.Table, ShardId, ShardStatus.Done, _fence?.Claim, token), Stopping);
        Log.LogInformation("table {Table} shard {Shard} is closed and fully applied", _table.Table, ShardId);
        _services.Metrics.ShardFinished(_table.Table, ShardId);
        _tableActor.Tell(new ShardClosed(ShardId), Self);
        Become(Closed);
    }

    private void OnFailure(Status.Failure failure)
    {
        switch (failure.Cause)
        {
            case DynamoExpiredIteratorException:
                // Iterators live 15 minutes; positions live forever. Re-acquire from the last applied record.
                _services.Metrics.Error(_table.Table, "expired-iterator");
                AcquireIteratorAsync().PipeTo(Self, success: iterator => new IteratorRenewed(iterator));
                break;
            case DynamoTrimmedDataAccessException when CannotHaveBeenTrimmed():
                // A position younger than the stream's 24-hour retention cannot have lost records (DynamoDB Local reports
                // this for an iterator that began on an empty shard). Replaying the shard from its oldest record applies
                // a superset of what is needed, in order, and converges.
                Log.LogWarning("table {Table} shard {Shard}: the stream reported trimmed data for a position learned {Age} ago; re-reading the shard from TRIM_HORIZON",
                    _table.Table, ShardId, _services.Clock.GetUtcNow() - _probeSince);
                _probeSince = null;
                _services.Streams.GetShardIteratorAsync(StreamArn, ShardId, ShardIteratorType.TrimHorizon, null, Stopping)
                    .PipeTo(Self, success: iterator => new IteratorRenewed(iterator));
                break;
            case DynamoTrimmedDataAccessException trimmed:
                ReportGap(trimmed.Message);
                break;
            default:
                _services.Metrics.Error(_table.Table, failure.Cause.GetType().Name);
                throw new ShardProcessingException(_table.Table, ShardId, failure.Cause);
        }
    }

    private void ReportGap(string reason)
    {
        _services.Metrics.Error(_table.Table, "trimmed-data");
        Log.LogError("table {Table} shard {Shard}: stream records were trimmed before they were applied: {Error}", _table.Table, ShardId, reason);
        _tableActor.Tell(new StreamGapDetected(ShardId, reason), Self);
        Become(Stalled);
    }

    /// <summary>
    /// For a shard read from TRIM_HORIZON because its start position was never learned: the first page read tells
    /// whether the stream still holds every change since the full sync began. Null when it does (or cannot have lost
    /// any); otherwise why it may not.
    /// </summary>
    private string? TrimmedSinceFullSync(StreamRecordsPage page)
    {
        if (_fullSyncStartedAt is not { } fullSyncStart || _services.Clock.GetUtcNow() - fullSyncStart < StreamRetention)
        {
            _oldestRecordUnchecked = false; // nothing written since the full sync began is old enough to be trimmed
            return null;
        }
        if (page.Records.Count == 0 && !page.ShardClosed) return null; // an empty page says nothing yet
        var oldest = page.Records.Count > 0 ? page.Records[0].ApproximateCreationDateTime : null;
        if (oldest is { } t && t <= fullSyncStart)
        {
            _oldestRecordUnchecked = false;
            return null;
        }
        return $"no start position was learned and the oldest record still in the shard ({(oldest is { } o ? o.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none")}) " +
            $"is newer than the full sync's start ({fullSyncStart.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}), which is older than the stream's retention: changes made in between may have been trimmed";
    }

    /// <summary>DynamoDB keeps stream records 24 hours; an hour of margin for clocks and for when trimming happens.</summary>
    private static readonly TimeSpan StreamRetention = TimeSpan.FromHours(23);

    private bool CannotHaveBeenTrimmed() =>
        _lastApplied is null && _start is null && _probeSince is { } since && _services.Clock.GetUtcNow() - since < StreamRetention;

    private void OnIteratorRenewed(IteratorRenewed renewed)
    {
        _iterator = renewed.Iterator;
        SchedulePoll(TimeSpan.Zero);
    }

    private sealed record IteratorRenewed(string Iterator);
}

public sealed class ShardProcessingException(string table, string shardId, Exception inner)
    : Exception($"table '{table}' shard {shardId}: {inner.Message}", inner);
