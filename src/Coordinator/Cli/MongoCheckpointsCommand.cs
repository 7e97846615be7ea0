using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Configuration;
using Replication.ShardActors.MongoSource;

namespace Replication.Coordinator.Cli;

/// <summary>
/// <c>replication checkpoints list|reset</c> for a MongoDB source: the run's phase, each namespace's copy (ranges, documents)
/// and each change stream's position; a reset forgets the whole run (its ranges and streams belong together: the start
/// position was recorded before the copy), so the next run records a new start and copies again. Dead letters are kept.
/// </summary>
internal static class MongoCheckpointsCommand
{
    public static async Task<int> ListAsync(ReplicationSettings settings, CancellationToken cancellationToken)
    {
        using var client = MongoClientFactory.Create(settings.CheckpointUri);
        var database = client.GetDatabase(settings.CheckpointDatabase);
        var checkpoints = new MongoSyncCheckpoints(database);
        var state = await checkpoints.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            Console.WriteLine($"no checkpoints in {settings.CheckpointDatabase}");
            return ExitCodes.Success;
        }
        Console.WriteLine($"MongoDB source: phase {state.Phase}, generation {state.Generation}, started {state.StartedAt:u}" +
            (state.CopyFinishedAt is { } f ? $", copy finished {f:u}" : ""));
        var collections = await checkpoints.LoadCollectionsAsync(state.Generation, cancellationToken).ConfigureAwait(false);
        var ranges = (await checkpoints.LoadRangesAsync(state.Generation, cancellationToken).ConfigureAwait(false)).ToLookup(r => r.Namespace);
        var applied = await checkpoints.LoadAppliedAsync(cancellationToken).ConfigureAwait(false);
        var letters = database.GetCollection<BsonDocument>(settings.DeadLetterCollection);
        // One line per namespace and per stream (not a table): resume tokens and long namespaces stay whole and greppable.
        foreach (var c in collections.OrderBy(c => c.Namespace, StringComparer.Ordinal))
        {
            var own = ranges[c.Namespace].ToList();
            var dead = await MongoDeadLetters.CountAsync(letters, c.Namespace, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{c.Namespace} → {c.Target}: {(c.Done ? "Done" : "Copying")}, {own.Sum(r => r.Copied)} of ~{c.EstimatedDocuments} documents, " +
                $"ranges done {own.Count(r => r.Done)}/{own.Count}, {applied.GetValueOrDefault(c.Namespace)} change events applied, {dead} dead letters");
        }
        var streams = await checkpoints.LoadStreamsAsync(state.Generation, cancellationToken).ConfigureAwait(false);
        foreach (var s in streams.OrderBy(s => s.Unit, StringComparer.Ordinal))
            Console.WriteLine($"change stream {s.Unit}: {s.EventsApplied} events applied, last event {(s.LastEventTime is { } t ? $"{t:u}" : "-")}, " +
                $"updated {s.UpdatedAt:u}, resume token {s.ResumeToken.ToJson()}");
        return ExitCodes.Success;
    }

    public static async Task<int> ResetAsync(ReplicationSettings settings, string? table, CancellationToken cancellationToken)
    {
        if (table is not null)
        {
            await Console.Error.WriteLineAsync("a MongoDB source's checkpoints are reset as a whole (its ranges and change streams belong together): leave out --table")
                .ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }
        using var client = MongoClientFactory.Create(settings.CheckpointUri);
        var checkpoints = new MongoSyncCheckpoints(client.GetDatabase(settings.CheckpointDatabase));
        var existed = await checkpoints.LoadStateAsync(cancellationToken).ConfigureAwait(false) is not null;
        await checkpoints.ResetAsync(cancellationToken).ConfigureAwait(false);
        Console.WriteLine(existed ? "checkpoints of the MongoDB source deleted: the next run records a new start position and copies again" : "the MongoDB source had no checkpoints");
        return ExitCodes.Success;
    }
}
