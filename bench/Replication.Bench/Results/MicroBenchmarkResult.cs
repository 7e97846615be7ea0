using System.Text.Json;
using Replication.Bench.Dynamo;

namespace Replication.Bench.Results;

/// <summary>One BenchmarkDotNet case, reduced to what the summary needs; the rate is per operation (BenchmarkDotNet's mean
/// already divides by OperationsPerInvoke), and for the DynamoDB JSON → BSON cases also MB/s of JSON input.</summary>
public sealed record MicroBenchmarkResult(string Type, string Method, string Parameters, double MeanNanoseconds, double OperationsPerSecond,
                                          double? MegabytesPerSecond, long? AllocatedBytesPerOperation)
{
    /// <summary>Every case in the BenchmarkDotNet full JSON reports (<c>*-report-full.json</c>) under <paramref name="directory"/>.</summary>
    public static List<MicroBenchmarkResult> ReadAll(string directory)
    {
        var results = new List<MicroBenchmarkResult>();
        if (!Directory.Exists(directory)) return results;
        foreach (var file in Directory.EnumerateFiles(directory, "*-report-full*.json", SearchOption.AllDirectories).Order())
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var b in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
                var type = b.GetProperty("Type").GetString() ?? "";
                var method = b.GetProperty("Method").GetString() ?? "";
                var mean = stats.GetProperty("Mean").GetDouble();
                long? allocated = b.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object
                                  && memory.TryGetProperty("BytesAllocatedPerOperation", out var a) && a.ValueKind == JsonValueKind.Number
                    ? a.GetInt64() : null;
                double? megabytes = type == nameof(DynamoJsonToBsonBenchmarks) ? DynamoJsonToBsonBenchmarks.ScanPage.Length / mean * 1e9 / 1e6 : null;
                results.Add(new MicroBenchmarkResult(type, method, b.TryGetProperty("Parameters", out var p) ? p.GetString() ?? "" : "",
                    mean, 1e9 / mean, megabytes, allocated));
            }
        }
        return results;
    }
}
