using Microsoft.Extensions.Logging;
using Replication.Actors;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

public sealed partial class TableActor
{
    private void FullSyncing()
    {
        Receive<SegmentPageWritten>(page =>
        {
            _itemsWritten += page.Items;
            _deadLettered += page.DeadLettered;
            PublishProgress("full-sync");
        });
        Receive<SegmentCopied>(copied =>
        {
            PublishProgress("full-sync");
            if (_segmentsDone.Add(copied.Segment) && _segmentsDone.Count == _totalSegments) Self.Tell(new AllSegmentsCopied());
        });
        ReceiveAsync<ObserveLeasedWork>(_ => ObserveLeasedSegmentsAsync());
        ReceiveAsync<AllSegmentsCopied>(async _ =>
        {
            await _services.Checkpoints.FinishFullSyncAsync(_tableName, _generation, Stopping).ConfigureAwait(false);
            Context.Log.LogInformation("table {Table}: full sync done, {Items} items written, {Dead} dead-lettered", _tableName, _itemsWritten, _deadLettered);
            PublishProgress("full-sync-done");
            Context.Parent.Tell(new TableFullSyncDone(_tableName));
            if (Mode == SyncMode.Full)
            {
                Timers.Cancel("observe");
                Become(Idle);
                return;
            }
            if (!await RefreshShardsAsync().ConfigureAwait(false)) return;
            StartIncremental();
        });
        // Probes report while the scan runs; their positions are already saved.
        Receive<ShardPrepared>(prepared => _probesLearned.Add(prepared.ShardId));
        Receive<ShardClosed>(closed =>
        {
            _status[closed.ShardId] = ShardStatus.Done;
            if (Sender is { } actor) _closedShardActors[closed.ShardId] = actor;
        });
        Receive<StreamGapDetected>(gap => OnGap(gap));
        Receive<Status.Failure>(failure => throw failure.Cause);
    }

    private void Idle()
    {
        Receive<ShardClosed>(_ => { });
        Receive<ShardPrepared>(_ => { });
        Receive<ObserveLeasedWork>(_ => { });
    }

    /// <summary>In a cluster the segments run on any node: their progress is read back from the table's checkpoint.</summary>
    private async Task ObserveLeasedSegmentsAsync()
    {
        var checkpoint = await _services.Checkpoints.GetTableAsync(_tableName, Stopping).ConfigureAwait(false);
        if (checkpoint is null || checkpoint.Generation != _generation) return;
        _itemsWritten = checkpoint.FullSync.ItemsWritten;
        var finishedNow = checkpoint.FullSync.Segments.Values.Count(s => s.Status == SegmentStatus.Done && _segmentsDone.Add(s.Segment));
        PublishProgress("full-sync");
        if (finishedNow > 0 && _segmentsDone.Count == _totalSegments) Self.Tell(new AllSegmentsCopied());
    }

    private void PublishProgress(string phase) =>
        Context.System.EventStream.Publish(new TableProgress(_tableName, phase, _itemsWritten, _deadLettered, _segmentsDone.Count, _totalSegments, _estimatedItems));
}
