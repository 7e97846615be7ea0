using System.Text.Json;
using System.Text.Json.Serialization;

namespace Replication.Bench.Pipeline;

/// <summary>`Replication.Bench pipeline …`: runs the whole-pipeline benchmark, prints a table, writes the JSON.</summary>
public static class PipelineCommand
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<int> RunAsync(string[] args)
    {
        PipelineOptions options;
        try
        {
            options = PipelineOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var results = await new PipelineBenchmark(options, Console.Out).RunAsync();
        PipelineReport.Print(results, Console.Out);
        if (options.Output is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, Json));
            Console.WriteLine($"results written to {path}");
        }
        return 0;
    }
}
