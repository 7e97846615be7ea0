using System.CommandLine;
using Replication.Coordinator.Cli;
using Replication.Coordinator.Hosting;

namespace Replication.Coordinator;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Replication: keeps MongoDB in step with DynamoDB (full sync, then DynamoDB Streams)");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(CheckpointsCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        // Ctrl-C drains in-flight batches (up to ReplicationNode.DrainTimeout); System.CommandLine's default 2 s would cut that short.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = ReplicationNode.DrainTimeout + TimeSpan.FromSeconds(15) };
        return root.Parse(args).InvokeAsync(invocation);
    }
}
