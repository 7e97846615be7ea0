using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.ShardActors.Streams;

namespace Replication.ShardActors.Tables;

/// <summary>When the stream can no longer be trusted to hold every change: records trimmed, the stream turned off or replaced.</summary>
public abstract partial class TableActor
{
    /// <summary>
    /// DescribeStream of the table's stream, or null when that stream has ended (turned off, or replaced by a new one):
    /// this table actor then stops its work and tells the coordinator, which starts the table again on its current
    /// stream (where <see cref="ReplacedStreamAsync"/> finds the change) — or, if the table was deleted, just stops it.
    /// </summary>
    private async Task<StreamDescription?> DescribeLiveStreamAsync()
    {
        var description = await _services.Streams.DescribeStreamAsync(StreamArn, Stopping);
        if (description.StreamStatus is not ("DISABLING" or "DISABLED")) return description;
        _services.Metrics.Error(_tableName, "stream-disabled");
        Log.LogWarning("table {Table}: its stream {Stream} is {Status} (turned off, replaced, or the table deleted); the table's work stops here and " +
            "the coordinator starts it again on the table's current stream, where a change of stream is handled as incremental.on-trimmed-data says",
            _tableName, StreamArn, description.StreamStatus);
        Timers.CancelAll();
        foreach (var child in Context.GetChildren()) Context.Stop(child);
        Context.Parent.Tell(new TableStreamEnded(_tableName, StreamArn, description.StreamStatus));
        Become(Idle);
        return null;
    }

    /// <summary>The ARN of an earlier stream this generation's shards were read from, when the table's stream has changed since.</summary>
    private async Task<string?> ReplacedStreamAsync()
    {
        var shards = await _services.Checkpoints.ListShardsAsync(_tableName, Stopping);
        return shards.Select(s => s.StreamArn).FirstOrDefault(arn => arn.Length > 0 && arn != _table.StreamArn);
    }

    /// <summary>
    /// Changes made after the old stream ended and before the new one began are in neither, so no reading of either
    /// stream can make the target whole: the table is re-synced, or the node stops, as for trimmed records.
    /// </summary>
    private void OnStreamReplaced(string oldStreamArn)
    {
        _services.Metrics.Error(_tableName, "stream-replaced");
        ResyncOrStop($"the table's stream was replaced ({oldStreamArn} → {StreamArn}); changes made after the old stream ended and before the new one began are in neither stream");
    }

    /// <summary>Records were lost from the stream before they were applied.</summary>
    private protected void OnGap(StreamGapDetected gap) =>
        ResyncOrStop($"stream records of shard {gap.ShardId} were trimmed before they were applied ({gap.Reason})");

    /// <summary>The table's stream no longer holds every change: re-sync the table, or stop, as incremental.on-trimmed-data says.</summary>
    private void ResyncOrStop(string why)
    {
        if (_services.Settings.Incremental.OnTrimmedData == TrimmedDataPolicy.Stop)
        {
            Log.LogError("table {Table}: {Why}; replication.incremental.on-trimmed-data = stop", _tableName, why);
            var reason = $"{why}; replication.incremental.on-trimmed-data = stop. Reset the table (replication checkpoints reset) to re-sync it.";
            // The table's stream work ends wherever it runs before the table says it cannot go on.
            Timers.CancelAll();
            foreach (var child in Context.GetChildren()) Context.Stop(child);
            StopShardsElsewhereAsync().PipeTo(Self, success: () => new StoppedEverywhere(reason));
            Become(StoppingEverywhere);
            return;
        }
        Log.LogWarning("table {Table}: {Why}; starting a new full sync of the table", _tableName, why);
        _services.Checkpoints.StartNewGenerationAsync(_tableName, Stopping, fromGeneration: _generation)
            .PipeTo(Self, success: generation => new Resync(generation));
        Become(Resyncing);
    }

    /// <summary>The table's shards that run on other nodes (in a cluster) stop; those of this node are its children, already stopped.</summary>
    private protected abstract Task StopShardsElsewhereAsync();

    private void StoppingEverywhere()
    {
        Receive<StoppedEverywhere>(stopped =>
        {
            Context.Parent.Tell(new TableFailed(_tableName, stopped.Reason));
            Become(Idle);
        });
        // The checkpoint database failed: the restarted table finds the gap again and stops again.
        Receive<Status.Failure>(failure => throw failure.Cause);
        ReceiveAny(_ => { });
    }

    private void Resyncing()
    {
        Receive<Resync>(_ => throw new TableResyncRequested(_tableName));
        Receive<Status.Failure>(failure => throw failure.Cause);
        ReceiveAny(_ => { });
    }

    private sealed record Resync(int Generation);

    private sealed record StoppedEverywhere(string Reason);
}

/// <summary>Thrown to have the supervisor restart the table actor, which then starts the new generation from scratch.</summary>
public sealed class TableResyncRequested(string table) : Exception($"table '{table}' restarts for a re-sync");
