using System.Text.Json;
using Replication.Bench.Pipeline;

namespace Replication.Bench.MongoPipeline;

/// <summary>`Replication.Bench mongo-pipeline …`: runs the MongoDB → MongoDB benchmark, prints a table, writes the JSON.</summary>
public static class MongoPipelineCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        MongoPipelineOptions options;
        try
        {
            options = MongoPipelineOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var results = await new MongoPipelineBenchmark(options, Console.Out).RunAsync();
        MongoPipelineReport.Print(results, Console.Out);
        if (options.Output is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, PipelineCommand.Json));
            Console.WriteLine($"results written to {path}");
        }
        // A benchmark that copied wrongly must not pass for a figure.
        return results.Verification.Equal ? 0 : 1;
    }
}
