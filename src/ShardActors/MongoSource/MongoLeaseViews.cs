using Replication.Checkpoints;
using Replication.Cluster;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// A MongoDB source's units as <c>/cluster/shards</c> lists them, with their leases: the current generation's
/// <c>_id</c> ranges not yet copied (as segments: the namespace, the range's index, its last copied <c>_id</c>) and its
/// change streams (as shards: the stream, its last applied event's time, its lag).
/// </summary>
public sealed class MongoLeaseViews(MongoSyncCheckpoints checkpoints)
{
    public async Task<IReadOnlyList<LeaseView>> LoadAsync(CancellationToken cancellationToken)
    {
        var state = await checkpoints.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (state is null) return [];
        var views = new List<LeaseView>();
        foreach (var range in (await checkpoints.LoadRangesAsync(state.Generation, cancellationToken).ConfigureAwait(false))
                     .Where(r => !r.Done).OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Index))
        {
            var lease = range.Lease ?? CheckpointLease.Free;
            views.Add(new LeaseView(new MongoRangeLeaseKey(range.Id, range.Namespace, range.Generation).Id, LeaseKind.Segment, range.Namespace,
                range.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), lease.Owner, lease.Counter, lease.ExpiresAt,
                range.LastId is null ? "Pending" : "Running", range.LastId?.ToString(), null));
        }
        foreach (var stream in await checkpoints.LoadStreamsAsync(state.Generation, cancellationToken).ConfigureAwait(false))
        {
            var lease = stream.Lease ?? CheckpointLease.Free;
            views.Add(new LeaseView(new ChangeStreamLeaseKey(stream.Unit, stream.Generation).Id, LeaseKind.Shard, stream.Unit, stream.Unit, lease.Owner,
                lease.Counter, lease.ExpiresAt, StatusOf(stream, state.Phase), stream.LastEventTime?.ToString("O"),
                state.Phase == MongoSyncPhase.Incremental ? TimeSpan.FromSeconds(stream.LagSeconds) : null));
        }
        return views;
    }

    /// <summary>
    /// Lost (its resume point left the oplog), Stopped (the run stopped on another stream's lost resume point),
    /// Following (incremental), or Waiting (for the copy to finish).
    /// </summary>
    public static string StatusOf(StreamCheckpoint stream, MongoSyncPhase phase) =>
        stream.Lost is not null ? "Lost" : stream.Stopped is not null ? "Stopped" : phase == MongoSyncPhase.Incremental ? "Following" : phase == MongoSyncPhase.Done ? "Done" : "Waiting";
}
