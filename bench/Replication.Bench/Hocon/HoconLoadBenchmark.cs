using BenchmarkDotNet.Attributes;
using Replication.Hocon;

namespace Replication.Bench.Hocon;

/// <summary>Startup cost of configuration: parse, merge and resolve the shipped reference.conf with an application file over it.</summary>
[MemoryDiagnoser]
public class HoconLoadBenchmark
{
    private HoconLoadOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Replication.sln"))) directory = directory.Parent;
        var hocon = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Replication.sln not found"), "hocon");
        _options = new HoconLoadOptions
        {
            ReferenceFile = Path.Combine(hocon, "reference.conf"),
            ApplicationFile = Path.Combine(hocon, "dynamodb-to-mongodb.conf"),
            Overrides = ["replication.full-sync.segments=16"],
            Environment = new Dictionary<string, string>(),
        };
    }

    [Benchmark]
    public int LoadReferenceAndApplication() => HoconConfig.Load(_options).GetInt("replication.full-sync.segments");
}
