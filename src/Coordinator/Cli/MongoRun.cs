using Microsoft.Extensions.Logging;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Hosting.Startup;
using Replication.ShardActors.Tables;

namespace Replication.Coordinator.Cli;

/// <summary>`replication run` for a MongoDB source: the startup checks, the node, live progress (or progress lines) until Ctrl-C or the end of mode full.</summary>
internal static class MongoRun
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(ReplicationSettings settings, bool live, ILoggerFactory loggers, ILogger log, CancellationToken cancellationToken)
    {
        MongoReplicationNode node;
        try
        {
            await StartupChecks.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            node = await MongoReplicationNode.StartAsync(settings, loggers, cancellationToken).ConfigureAwait(false);
        }
        catch (StartupFailure failure)
        {
            await Console.Error.WriteLineAsync($"error: {failure.Message}").ConfigureAwait(false);
            return ExitCodes.For(failure.Kind);
        }
        catch (IOException e) when (e.Message.StartsWith("the management endpoints cannot listen", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.For(StartupFailureKind.ManagementPort);
        }
        try
        {
            log.LogInformation("replication '{Id}' (MongoDB → MongoDB) running as node {Node} (mode {Mode}); checkpoints in {Database}; management endpoints {Endpoints}",
                settings.Id, node.Cluster.NodeId, settings.Mode, settings.CheckpointDatabase,
                node.Management.IsServing ? node.Management.BaseAddress.ToString() : "off");
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => stop.TrySetResult());
            var ending = Task.WhenAny(node.Completion, stop.Task);
            var tracker = new ProgressTracker();
            using var polling = new CancellationTokenSource();
            var poll = PollProgressAsync(node, tracker, live ? null : log, polling.Token);
            if (live) await LiveProgressView.RunAsync(tracker, ending).ConfigureAwait(false);
            var finished = await ending.ConfigureAwait(false);
            await polling.CancelAsync().ConfigureAwait(false);
            await poll.ConfigureAwait(false);
            if (finished == node.Completion)
            {
                var ended = await node.Completion.ConfigureAwait(false);
                if (ended.Success) log.LogInformation("{Message}", ended.Message);
                else log.LogError("stopping: {Message}", ended.Message);
                return ended.Success ? ExitCodes.Success : ExitCodes.ReplicationFailed;
            }
            log.LogInformation("stopping on request; positions are checkpointed and the next run resumes from them");
            return ExitCodes.Success;
        }
        finally
        {
            try
            {
                await node.DisposeAsync().AsTask().WaitAsync(settings.DrainTimeout + ReplicationNode.StopAfterDrainTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                log.LogWarning("stopping: the node did not stop in time; exiting anyway (the next run resumes from the checkpoints)");
            }
        }
    }

    /// <summary>Feeds the live view (or, redirected, a progress line per namespace every few seconds) from /progress's report.</summary>
    private static async Task PollProgressAsync(MongoReplicationNode node, ProgressTracker tracker, ILogger? log, CancellationToken cancellationToken)
    {
        var lastLine = DateTimeOffset.MinValue;
        var lastPhases = new Dictionary<string, string>();
        try
        {
            using var timer = new PeriodicTimer(ProgressEvery);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Management.Progress.ProgressReport report;
                try
                {
                    report = await node.Progress.BuildAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    continue; // the checkpoint database is unreachable for a moment; the node reports that itself
                }
                var now = DateTimeOffset.UtcNow;
                var due = now - lastLine >= TimeSpan.FromSeconds(5);
                foreach (var t in report.Tables)
                {
                    var items = t.Phase == "full-sync" ? t.FullSync.ItemsWritten : t.FullSync.ItemsWritten + t.EventsApplied;
                    tracker.Record(new TableProgress(t.Table, t.Phase, items, t.DeadLetters?.Items ?? 0, t.FullSync.SegmentsDone, t.FullSync.TotalSegments,
                        t.FullSync.EstimatedItems));
                    var changed = !lastPhases.TryGetValue(t.Table, out var phase) || phase != t.Phase;
                    lastPhases[t.Table] = t.Phase;
                    if (log is not null && (due || changed))
                        log.LogInformation("namespace {Namespace} → {Target}: {Phase}, {Copied} of ~{Estimated} documents copied, ranges {Done}/{Total}, {Events} change events applied",
                            t.Table, t.Collection, t.Phase, t.FullSync.ItemsWritten, t.FullSync.EstimatedItems, t.FullSync.SegmentsDone, t.FullSync.TotalSegments, t.EventsApplied);
                }
                if (due) lastLine = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
