using System.Text.Json;
using System.Text.Json.Nodes;

namespace Replication.Bench.Results;

/// <summary>
/// `Replication.Bench results --pipeline FILE [--mongo-pipeline FILE] --micro DIR --output FILE`: joins the pipeline runs and the micro-benchmark
/// reports into one JSON document and prints the micro-benchmarks as a table.
/// </summary>
public static class ResultsCommand
{
    private const string Usage = "usage: Replication.Bench results --pipeline FILE [--mongo-pipeline FILE] --micro DIR --output FILE";

    public static async Task<int> RunAsync(string[] args)
    {
        string? pipeline = null, mongoPipeline = null, micro = null, output = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--pipeline": pipeline = args[i + 1]; break;
                case "--mongo-pipeline": mongoPipeline = args[i + 1]; break;
                case "--micro": micro = args[i + 1]; break;
                case "--output": output = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"results: unknown option '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        if (output is null || args.Length % 2 != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var document = new JsonObject { ["generatedAt"] = DateTimeOffset.UtcNow, ["cores"] = Environment.ProcessorCount };
        if (pipeline is not null && File.Exists(pipeline))
            document["pipeline"] = JsonNode.Parse(await File.ReadAllTextAsync(pipeline));
        if (mongoPipeline is not null && File.Exists(mongoPipeline))
            document["mongoPipeline"] = JsonNode.Parse(await File.ReadAllTextAsync(mongoPipeline));
        var cases = micro is null ? [] : MicroBenchmarkResult.ReadAll(micro);
        document["micro"] = JsonSerializer.SerializeToNode(cases, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        if (cases.Count > 0)
        {
            Console.WriteLine("Micro-benchmarks (BenchmarkDotNet, short job, in process)");
            foreach (var c in cases)
            {
                var name = $"{c.Type}.{c.Method}{(c.Parameters.Length > 0 ? $" [{c.Parameters}]" : "")}";
                var rate = c.MegabytesPerSecond is { } mb ? $"{mb,10:N1} MB/s" : $"{c.OperationsPerSecond,10:N0} op/s";
                Console.WriteLine($"  {name,-70} {c.MeanNanoseconds,14:N1} ns {rate}  {(c.AllocatedBytesPerOperation is { } a ? $"{a:N0} B/op" : "")}");
            }
        }
        Console.WriteLine($"results written to {output}");
        return 0;
    }
}
