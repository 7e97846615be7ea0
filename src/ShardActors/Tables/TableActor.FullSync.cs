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
            _segmentsDone.Add(copied.Segment);
            PublishProgress("full-sync");
            if (_segmentsDone.Count == _totalSegments) Self.Tell(new AllSegmentsCopied());
        });
        ReceiveAsync<AllSegmentsCopied>(async _ =>
        {
            await _services.Checkpoints.FinishFullSyncAsync(_tableName, _generation, Stopping).ConfigureAwait(false);
            Context.Log.LogInformation("table {Table}: full sync done, {Items} items written, {Dead} dead-lettered", _tableName, _itemsWritten, _deadLettered);
            PublishProgress("full-sync-done");
            Context.Parent.Tell(new TableFullSyncDone(_tableName));
            if (Mode == SyncMode.Full)
            {
                Become(Idle);
                return;
            }
            await RefreshShardsAsync().ConfigureAwait(false);
            StartIncremental();
        });
        // Probes report while the scan runs; their positions are already saved.
        Receive<ShardPrepared>(_ => { });
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
    }

    private void PublishProgress(string phase) =>
        Context.System.EventStream.Publish(new TableProgress(_tableName, phase, _itemsWritten, _deadLettered, _segmentsDone.Count, _totalSegments, _estimatedItems));
}
