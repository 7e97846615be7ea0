using Microsoft.Extensions.Logging;
using Replication.Checkpoints;

namespace Replication.ShardActors;

/// <summary>What a segment or shard does, besides marking its checkpoint, when it stops for failing at one position.</summary>
public static class StoppedUnits
{
    /// <param name="unit">"segment 3" or "shard shardId-…", as /progress and the metric name it.</param>
    public static void Announce(ReplicationServices services, ILogger log, string table, string unit, UnitFailure failure)
    {
        log.LogError("table {Table} {Unit} failed again after {Restarts} restarts at position {Position} and is stopped (the rest runs on): {Error}. "
            + "Fix the cause and restart the node to retry it.", table, unit, failure.Restarts, failure.Position ?? "(start)", failure.Error);
        services.Restarts.Stopped(table, $"{table} {unit}", failure);
        services.Metrics.UnitFailed(table, unit);
    }
}
