using BenchmarkDotNet.Running;
using Replication.Bench.MongoPipeline;
using Replication.Bench.Pipeline;
using Replication.Bench.Results;

namespace Replication.Bench;

public static class Program
{
    /// <summary>`pipeline [options]` runs the whole-pipeline benchmark, `mongo-pipeline [options]` its MongoDB → MongoDB counterpart, `results` joins the reports; anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "pipeline")
            return await PipelineCommand.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "mongo-pipeline")
            return await MongoPipelineCommand.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "results")
            return await ResultsCommand.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
