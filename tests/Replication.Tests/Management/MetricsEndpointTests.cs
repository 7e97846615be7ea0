using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Replication.Coordinator.Management.Metrics;
using Replication.Metrics;

namespace Replication.Tests.Management;

public sealed partial class MetricsEndpointTests : ManagementServerTest
{
    [Fact]
    public async Task Metrics_are_prometheus_text_with_a_type_line_for_every_instrument_and_counter_totals()
    {
        Metrics.ItemsWritten("Orders", 40);
        Metrics.ItemsWritten("Orders", 2);
        Metrics.ItemsWritten("Customers", 5);
        Metrics.RecordsApplied("Orders", 9);

        var response = await Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var exposition = Parse(text);
        Assert.Equal("counter", exposition.Types["replication_fullsync_items_written_total"]);
        Assert.Equal("counter", exposition.Types["replication_fullsync_items_scanned_total"]);
        Assert.Equal("counter", exposition.Types["replication_incremental_records_applied_total"]);
        Assert.Equal("counter", exposition.Types["replication_dead_letters_total"]);
        Assert.Equal("counter", exposition.Types["replication_errors_total"]);
        Assert.Equal("gauge", exposition.Types["replication_incremental_lag_seconds"]);
        Assert.Contains("# HELP replication_fullsync_items_written_total Items written to the target by full syncs", text);
        Assert.Equal(42, exposition.Samples["replication_fullsync_items_written_total{table=\"Orders\"}"]);
        Assert.Equal(5, exposition.Samples["replication_fullsync_items_written_total{table=\"Customers\"}"]);
        Assert.Equal(9, exposition.Samples["replication_incremental_records_applied_total{table=\"Orders\"}"]);
    }

    [Fact]
    public async Task Label_values_are_escaped_and_gauges_follow_their_observations()
    {
        Metrics.Error("Or\"d\\ers\nEU", "throttled");
        Metrics.ShardPosition("Orders", "shard-1", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));

        var exposition = Parse(await Http.GetStringAsync("/metrics"));

        Assert.Equal(1, exposition.Samples["replication_errors_total{kind=\"throttled\",table=\"Or\\\"d\\\\ers\\nEU\"}"]);
        var lag = exposition.Samples["replication_incremental_lag_seconds{shard=\"shard-1\",table=\"Orders\"}"];
        Assert.InRange(lag, 599, 3600);

        Metrics.ShardFinished("Orders", "shard-1");
        exposition = Parse(await Http.GetStringAsync("/metrics"));
        Assert.DoesNotContain(exposition.Samples.Keys, k => k.StartsWith("replication_incremental_lag_seconds", StringComparison.Ordinal));
        Assert.Equal("gauge", exposition.Types["replication_incremental_lag_seconds"]);
    }

    [Fact]
    public async Task Another_meter_of_the_same_name_in_the_process_is_not_this_nodes()
    {
        using var otherNode = new ReplicationMetrics();
        otherNode.DeadLettered("Orders", 1000);
        Metrics.DeadLettered("Orders", 3);

        var exposition = Parse(await Http.GetStringAsync("/metrics"));

        Assert.Equal(3, exposition.Samples["replication_dead_letters_total{table=\"Orders\"}"]);
    }

    [Fact]
    public async Task Stale_documents_of_dead_lettered_items_are_counted_by_outcome()
    {
        Metrics.StaleDocuments("Orders", "removed", 2);
        Metrics.StaleDocuments("Orders", "kept", 1);

        var exposition = Parse(await Http.GetStringAsync("/metrics"));

        Assert.Equal("counter", exposition.Types["replication_dead_letters_stale_documents_total"]);
        Assert.Equal(2, exposition.Samples["replication_dead_letters_stale_documents_total{outcome=\"removed\",table=\"Orders\"}"]);
        Assert.Equal(1, exposition.Samples["replication_dead_letters_stale_documents_total{outcome=\"kept\",table=\"Orders\"}"]);
    }

    [Fact]
    public void Histograms_and_up_down_counters_are_exported_with_cumulative_buckets_and_running_sums()
    {
        using var meter = new Meter("Replication.Tests.Histogram");
        var latency = meter.CreateHistogram<double>("batch.latency", "ms", "Time to write a batch");
        var inFlight = meter.CreateUpDownCounter<int>("batches.in_flight");
        using var exporter = new PrometheusExporter(meter);
        latency.Record(3, new KeyValuePair<string, object?>("table", "Orders"));
        latency.Record(7, new KeyValuePair<string, object?>("table", "Orders"));
        latency.Record(20000, new KeyValuePair<string, object?>("table", "Orders"));
        inFlight.Add(5);
        inFlight.Add(-2);

        var exposition = Parse(exporter.Scrape());

        Assert.Equal("histogram", exposition.Types["batch_latency_milliseconds"]);
        Assert.Equal(1, exposition.Samples["batch_latency_milliseconds_bucket{table=\"Orders\",le=\"5\"}"]);
        Assert.Equal(2, exposition.Samples["batch_latency_milliseconds_bucket{table=\"Orders\",le=\"10\"}"]);
        Assert.Equal(2, exposition.Samples["batch_latency_milliseconds_bucket{table=\"Orders\",le=\"10000\"}"]);
        Assert.Equal(3, exposition.Samples["batch_latency_milliseconds_bucket{table=\"Orders\",le=\"+Inf\"}"]);
        Assert.Equal(20010, exposition.Samples["batch_latency_milliseconds_sum{table=\"Orders\"}"]);
        Assert.Equal(3, exposition.Samples["batch_latency_milliseconds_count{table=\"Orders\"}"]);
        Assert.Equal("gauge", exposition.Types["batches_in_flight"]);
        Assert.Equal(3, exposition.Samples["batches_in_flight"]);
    }

    private sealed record Exposition(Dictionary<string, string> Types, Dictionary<string, double> Samples);

    /// <summary>Reads the text format strictly: every line is a HELP, a TYPE, or a well-formed sample of a declared family.</summary>
    private static Exposition Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            var type = TypeLine().Match(line);
            if (type.Success)
            {
                Assert.True(types.TryAdd(type.Groups["name"].Value, type.Groups["type"].Value), $"two TYPE lines for {type.Groups["name"].Value}");
                continue;
            }
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a valid sample line: {line}");
            var name = sample.Groups["name"].Value;
            Assert.Contains(types.Keys, family => name == family || name.StartsWith(family + "_", StringComparison.Ordinal));
            var value = sample.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            Assert.True(samples.TryAdd(name + sample.Groups["labels"].Value, value), $"duplicate series: {line}");
        }
        return new Exposition(types, samples);
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
