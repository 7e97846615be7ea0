using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Replication.Bench.Actors;

/// <summary>Adds a Msgs/s column (operations per second) for benchmarks whose operation is one message.</summary>
public sealed class MessagesPerSecondConfig : ManualConfig
{
    public MessagesPerSecondConfig() => AddColumn(new MessagesPerSecondColumn());

    private sealed class MessagesPerSecondColumn : IColumn
    {
        public string Id => nameof(MessagesPerSecondColumn);

        public string ColumnName => "Msgs/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Messages delivered per second (1 / mean time per message)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            return statistics is null || statistics.Mean <= 0
                ? "n/a"
                : (1e9 / statistics.Mean).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
