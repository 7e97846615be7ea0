using System.CommandLine;
using Replication.Coordinator.Cli;
using Replication.Coordinator.Hosting;

namespace Replication.Coordinator;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Replication: keeps MongoDB in step with DynamoDB (full sync, then DynamoDB Streams)");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(CheckpointsCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        // Ctrl-C and SIGTERM drain in-flight batches (replication.drain-timeout), then stop within ReplicationNode.StopAfterDrainTimeout;
        // RunCommand bounds that itself. This is only the last resort, past the longest drain the settings allow in practice.
        var invocation = new InvocationConfiguration
        {
            ProcessTerminationTimeout = TimeSpan.FromMinutes(10),
            // An operator gets one line saying what went wrong, not a stack trace.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {OneLine(e)}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string OneLine(Exception e)
    {
        var text = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message;
        return $"{e.GetType().Name}: {string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}";
    }
}
