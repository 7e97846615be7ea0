using System.CommandLine;
using Microsoft.Extensions.Logging;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Hosting.Startup;
using Replication.ShardActors.Tables;

namespace Replication.Coordinator.Cli;

/// <summary><c>replication run --config FILE [--set key=value …]</c>: runs a node until Ctrl-C, or until mode `full` is done.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run a replication node with the given configuration");
        command.Options.Add(CliOptions.Config);
        command.Options.Add(CliOptions.Set);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliOptions.LoadConfiguration(parse);
            if (loaded is null) return ExitCodes.BadConfiguration;
            var live = LiveProgressView.IsAvailable;
            // With the live view on screen, only warnings and errors are logged, so lines do not tear the table.
            using var loggers = CliOptions.Loggers(live ? Microsoft.Extensions.Logging.LogLevel.Warning : Microsoft.Extensions.Logging.LogLevel.Information);
            var log = loggers.CreateLogger("replication");
            foreach (var warning in loaded.Warnings) log.LogWarning("{Warning}", warning.Message);
            if (loaded.Settings.Source.Type == SourceType.MongoDb)
                return await MongoRun.RunAsync(loaded.Settings, live, loggers, log, cancellationToken).ConfigureAwait(false);

            var node = await StartNodeAsync(loaded.Settings, loggers, cancellationToken).ConfigureAwait(false);
            if (node.Failure is { } failure)
            {
                await Console.Error.WriteLineAsync($"error: {failure.Message}").ConfigureAwait(false);
                return ExitCodes.For(failure.Kind);
            }
            var running = node.Node!;
            try
            {
                return await RunAsync(running, loaded.Settings, live, log, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await StopAsync(running, loaded.Settings, log).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>The startup checks, then the node; a failure is one line for the operator, never a stack trace.</summary>
    private static async Task<(ReplicationNode? Node, StartupFailure? Failure)> StartNodeAsync(ReplicationSettings settings, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        try
        {
            await StartupChecks.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            return (await ReplicationNode.StartAsync(settings, loggers, cancellationToken).ConfigureAwait(false), null);
        }
        catch (StartupFailure e)
        {
            return (null, e);
        }
        catch (IOException e) when (e.Message.StartsWith("the management endpoints cannot listen", StringComparison.Ordinal))
        {
            return (null, new StartupFailure(StartupFailureKind.ManagementPort, e.Message));
        }
    }

    /// <summary>Drains, then stops; a stop that outlives drain-timeout plus the hand-back allowance is abandoned, so the process exits on time.</summary>
    private static async Task StopAsync(ReplicationNode node, ReplicationSettings settings, ILogger log)
    {
        var limit = settings.DrainTimeout + ReplicationNode.StopAfterDrainTimeout;
        try
        {
            await node.DisposeAsync().AsTask().WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            log.LogWarning("stopping: the node did not stop within {Limit}; exiting anyway (the next run resumes from the checkpoints)", limit);
        }
    }

    private static async Task<int> RunAsync(ReplicationNode node, ReplicationSettings settings, bool live, ILogger log, CancellationToken cancellationToken)
    {
        var tracker = new ProgressTracker();
        using var tracking = new EventSubscription<TableProgress>(node.System, tracker.Record);
        using var progress = live ? null : new ProgressLog(node.System, log);
        log.LogInformation("replication '{Id}' running as node {Node} (mode {Mode}, cluster {Cluster}); checkpoints in {Database}; management endpoints {Endpoints}",
            settings.Id, node.Cluster.NodeId, settings.Mode, settings.Cluster.Enabled ? "on" : "off", settings.CheckpointDatabase,
            node.Management.IsServing ? node.Management.BaseAddress.ToString() : "off");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = cancellationToken.Register(() => stop.TrySetResult());
        var ending = Task.WhenAny(node.Completion, stop.Task);
        if (live) await LiveProgressView.RunAsync(tracker, ending).ConfigureAwait(false);
        var finished = await ending.ConfigureAwait(false);
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

    /// <summary>Plain progress lines (at most one per table every few seconds) from the tables' progress events.</summary>
    private sealed class ProgressLog : IDisposable
    {
        private readonly IDisposable _subscription;
        private readonly Dictionary<string, DateTimeOffset> _lastLine = new();

        public ProgressLog(Akka.Actor.ActorSystem system, ILogger log)
        {
            _subscription = new EventSubscription<TableProgress>(system, p =>
            {
                lock (_lastLine)
                {
                    var now = DateTimeOffset.UtcNow;
                    var important = p.Phase != "full-sync";
                    if (!important && _lastLine.TryGetValue(p.Table, out var last) && now - last < TimeSpan.FromSeconds(5)) return;
                    _lastLine[p.Table] = now;
                }
                var of = p.EstimatedItems is > 0 ? $" of ~{p.EstimatedItems}" : "";
                log.LogInformation("table {Table}: {Phase}, {Items}{Of} items written, {Dead} dead-lettered, segments {Done}/{Total}",
                    p.Table, p.Phase, p.ItemsWritten, of, p.DeadLettered, p.SegmentsDone, p.TotalSegments);
            });
        }

        public void Dispose() => _subscription.Dispose();
    }
}
