using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

public abstract partial class TableActor
{
    private void FullSyncing()
    {
        ReceiveAsync<AllSegmentsCopied>(async _ =>
        {
            await _services.Checkpoints.FinishFullSyncAsync(_tableName, _generation, Stopping);
            Log.LogInformation("table {Table}: full sync done, {Items} items written, {Dead} dead-lettered", _tableName, _itemsWritten, _deadLettered);
            ReportFullSyncDone();
            if (Mode == SyncMode.Full)
            {
                Timers.CancelAll();
                Become(Idle);
                return;
            }
            if (!await RefreshShardsAsync()) return;
            StartIncremental();
        });
        Receive<ShardClosed>(closed => ShardFinished(closed.ShardId, Sender));
        Receive<StreamGapDetected>(gap => OnGap(gap));
        Receive<Status.Failure>(failure => throw failure.Cause);
        ReceiveFullSyncProgress();
    }

    /// <summary>Adds the handlers by which this table hears of its segments' progress and of its probes while the full sync runs.</summary>
    private protected abstract void ReceiveFullSyncProgress();

    /// <summary>A segment finished: the full sync ends when the last one does.</summary>
    private protected void SegmentFinished(int segment)
    {
        if (_segmentsDone.Add(segment) && _segmentsDone.Count == _totalSegments) Self.Tell(new AllSegmentsCopied());
    }

    /// <summary>The table's work is over (mode full, or a policy stopped it): late reports change nothing.</summary>
    private void Idle() => ReceiveAny(_ => { });

    /// <summary>To the live progress and to the coordinator, which ends a mode-full run once every table said so.</summary>
    private void ReportFullSyncDone()
    {
        PublishProgress("full-sync-done");
        Context.Parent.Tell(new TableFullSyncDone(_tableName));
    }

    private protected void PublishProgress(string phase) =>
        Context.System.EventStream.Publish(new TableProgress(_tableName, phase, _itemsWritten, _deadLettered, _segmentsDone.Count, _totalSegments, _estimatedItems));
}
