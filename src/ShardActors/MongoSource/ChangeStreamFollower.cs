using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Cluster;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>The source no longer holds the changes after a saved resume point (the oplog rolled past it): a gap, handled by incremental.on-trimmed-data.</summary>
public sealed class ResumePointLostException(string unit, string detail)
    : Exception($"the change stream '{unit}' cannot resume from its checkpoint: the source's oplog no longer holds that point ({detail})")
{
    public string Unit { get; } = unit;

    /// <summary>What the source said.</summary>
    public string Detail { get; } = detail;
}

/// <summary>
/// Follows one change stream from its checkpoint: each batch is applied by <see cref="ChangeApplier"/> while the next
/// one is read from the source, then the resume token after it is checkpointed (an empty batch moves the token too, so an idle stream's position stays fresh in the
/// oplog). An invalidate (a database stream's dropDatabase) reopens after it; a lost resume point throws
/// <see cref="ResumePointLostException"/>; any other fault ends the run, and <see cref="ChangeStreamActor"/>'s
/// supervisor restarts it from the checkpoint. Each batch is one unit of the node's <see cref="WorkDrain"/>: once a
/// graceful stop begins none is applied any more, and the one begun is applied and checkpointed before the stop
/// cancels anything.
/// </summary>
public sealed class ChangeStreamFollower(ChangeStreams streams, ChangeApplier applier, MongoSyncCheckpoints checkpoints, ReplicationMetrics metrics,
    WorkDrain drain)
{
    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, or returns once the node began to stop (the
    /// checkpoint stays at the last applied batch).
    /// </summary>
    /// <param name="fence">
    /// A leased stream's fence (in a cluster): every target, dead-letter and checkpoint write goes through it, and the
    /// position moves only while the stream's lease is still this one (else <see cref="Replication.Checkpoints.CheckpointConflictException"/>).
    /// </param>
    public async Task RunAsync(StreamCheckpoint start, Action<AppliedBatch>? applied, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var token = start.ResumeToken;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var cursor = await streams.OpenAsync(start.Unit, token, cancellationToken).ConfigureAwait(false);
                var more = cursor.MoveNextAsync(cancellationToken);
                try
                {
                    while (await more.ConfigureAwait(false))
                    {
                        var batch = cursor.Current.ToList();
                        var resumeToken = cursor.GetResumeToken(); // read before the cursor moves on to the next batch
                        using var inFlight = drain.TryBegin();
                        if (inFlight is null)
                        {
                            foreach (var e in batch) e.Dispose();
                            return; // stopping: this batch is not applied and the position stays before it
                        }
                        var invalidate = batch.FirstOrDefault(e => e["operationType"].AsString == "invalidate");
                        // The next batch is read from the source while this one is written to the target (an invalidate ends the stream).
                        more = invalidate is null ? cursor.MoveNextAsync(cancellationToken) : Task.FromResult(false);
                        AppliedBatch? result = null;
                        if (batch.Count > 0)
                        {
                            result = await applier.ApplyAsync(batch, fence, cancellationToken).ConfigureAwait(false);
                            foreach (var (ns, count) in result.PerNamespace) metrics.RecordsApplied(ns, count);
                        }
                        var next = invalidate is not null ? (BsonDocument)BsonDocumentCopy.Of(invalidate["_id"]) : resumeToken ?? token;
                        foreach (var e in batch) e.Dispose();
                        if (result is not null || !next.Equals(token))
                        {
                            // Only now, with the batch acknowledged by the target, may the stream's position move past it.
                            var position = next;
                            await fence.GuardAsync(token => checkpoints.SaveStreamPositionAsync(start.Unit, start.Generation, position, result?.Applied ?? 0,
                                result?.LastEventTime, result?.PerNamespace, fence?.Claim, token), cancellationToken).ConfigureAwait(false);
                            token = next;
                            if (result is not null) applied?.Invoke(result);
                        }
                        if (invalidate is not null) break;
                    }
                }
                finally
                {
                    // A cursor serves one caller at a time: a read still in flight (the run failed or is cancelled) ends
                    // — within the stream's maxAwaitTime — before the cursor is disposed. Its outcome no longer matters.
                    if (!more.IsCompleted)
                    {
                        try
                        {
                            await more.ConfigureAwait(false);
                        }
                        catch (Exception)
                        {
                        }
                    }
                }
            }
            catch (MongoCommandException e) when (IsHistoryLost(e))
            {
                throw new ResumePointLostException(start.Unit, e.Message);
            }
        }
    }

    /// <summary>ChangeStreamHistoryLost (286), or the older ways a server says the resume point left the oplog.</summary>
    public static bool IsHistoryLost(MongoCommandException e) =>
        e.Code == 286 || e.Code == 136 || e.Code == 280 && e.Message.Contains("no longer be in the oplog", StringComparison.OrdinalIgnoreCase);
}
