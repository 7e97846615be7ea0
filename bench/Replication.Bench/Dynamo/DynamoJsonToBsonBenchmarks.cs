using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Replication.Bson;
using Replication.Dynamo.Conversion;

namespace Replication.Bench.Dynamo;

/// <summary>
/// DynamoDB JSON → BSON conversion of a 1 MB Scan page, item by item, as a Scan segment does it. The MB/s column is
/// JSON input per second; <see cref="TokenizeOnly"/> is the floor: Utf8JsonReader alone over the same page.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DynamoJsonToBsonBenchmarks
{
    internal static readonly byte[] ScanPage = ScanPageGenerator.Page();

    private readonly ArrayBufferWriter<byte> _output = new(2 << 20);
    private BsonWriter _writer = null!;
    private DynamoItemConverter _typedId = null!, _typedFields = null!, _raw = null!, _double = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new BsonWriter(_output, 4096);
        var key = new TableKeySchema("pk", "sk");
        _typedId = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, key);
        _typedFields = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Fields, key);
        _raw = new DynamoItemConverter(ConvertMode.Raw, IdentityMode.Id, key);
        _double = new DynamoItemConverter(ConvertMode.Double, IdentityMode.Id, key);
        var items = ConvertPage(_typedId);
        Console.WriteLine($"// scan page: {ScanPage.Length:N0} bytes of JSON, {items:N0} items, {_output.WrittenCount:N0} bytes of BSON");
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    [Benchmark]
    public int TokenizeOnly()
    {
        var reader = new Utf8JsonReader(ScanPage, DynamoItemConverter.ReaderOptions);
        var tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }

    [Benchmark(Baseline = true)]
    public int TypedWithId() => ConvertPage(_typedId);

    [Benchmark]
    public int TypedWithFields() => ConvertPage(_typedFields);

    [Benchmark]
    public int Raw() => ConvertPage(_raw);

    [Benchmark]
    public int Double() => ConvertPage(_double);

    private int ConvertPage(DynamoItemConverter converter)
    {
        _output.ResetWrittenCount();
        var reader = new Utf8JsonReader(ScanPage, DynamoItemConverter.ReaderOptions);
        reader.Read(); // {
        reader.Read(); // "Items"
        reader.Read(); // [
        var items = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            converter.WriteDocument(ref reader, _writer);
            items++;
        }
        return items;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new JsonThroughputColumn());
    }

    /// <summary>MB/s of JSON input, from the mean time per page.</summary>
    private sealed class JsonThroughputColumn : IColumn
    {
        public string Id => "JsonMBps";
        public string ColumnName => "JSON MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Megabytes (10^6) of DynamoDB JSON consumed per second";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is > 0 ? (ScanPage.Length / (mean.Value / 1e9) / 1e6).ToString("N0") : "-";
        }
    }
}
