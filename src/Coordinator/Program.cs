using System.CommandLine;
using Replication.Coordinator.Cli;

namespace Replication.Coordinator;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Replication: keeps MongoDB in step with DynamoDB (full sync, then DynamoDB Streams)");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(CheckpointsCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
