namespace Replication.Bench.Pipeline;

/// <summary>The run's figures as a plain-text table.</summary>
public static class PipelineReport
{
    public static void Print(PipelineResults r, TextWriter output)
    {
        var s = r.Settings;
        output.WriteLine();
        output.WriteLine($"Whole pipeline — {r.Cores} cores, {r.Os}, {r.Runtime}; {s.Items:N0} items (~{r.AverageItemBytes:N0} B), " +
                         $"{s.Segments} segments, page size {(s.PageSize == 0 ? "1 MB" : s.PageSize.ToString())}");
        output.WriteLine(s.Synthetic
            ? "Source: synthetic DynamoDB endpoint (generated items, separate process; full sync only); target: in-memory MongoDB test server (separate process)."
            : "Source: DynamoDB Local (fresh instance); target: in-memory MongoDB test server (separate process).");
        if (!s.Synthetic) Row(output, "load (BatchWriteItem, parallel)", $"{r.LoadItemsPerSecond:N0} items/s");
        Row(output, "plain parallel Scan (a)", s.PlainScan ? $"{r.PlainScanItemsPerSecond:N0} items/s" : "not run (--plain-scan off)");
        Row(output, "full sync (b)", $"{r.FullSyncItemsPerSecond:N0} items/s ({r.FullSyncWallItemsPerSecond:N0}/s incl. node start)");
        if (s.PlainScan) Row(output, "full-sync ratio b/a", $"{r.FullSyncRatio:F2}");
        if (r.FullSyncRatioPerSourceCpu is { } perCpu) Row(output, "  ratio per CPU-second of the source", $"{perCpu:F2}");
        if (r.PlainScanCpu is { } pc) Row(output, "  where the cores went, plain Scan", pc.ToString());
        if (r.FullSyncCpu is { } fc) Row(output, "  where the cores went, full sync", fc.ToString());
        Row(output, "peak RSS of the node, full sync", r.FullSyncPeakRssMegabytes is { } mb ? $"{mb:N0} MB ({r.PeakRssSource})" : "n/a");
        if (r.Steady is { } st)
        {
            Row(output, $"steady writes (target {st.TargetRate}/s)", $"{st.WriteRate:N0} writes/s acknowledged, {st.Writes:N0} writes");
            Row(output, "applied under steady load", $"{st.AppliedPerSecond:N0} records/s");
            Row(output, "end-to-end lag p50 / p95 / p99 / max", $"{st.LagP50Ms:N0} / {st.LagP95Ms:N0} / {st.LagP99Ms:N0} / {st.LagMaxMs:N0} ms");
        }
        if (r.CatchUp is { } c)
        {
            Row(output, $"catch-up of {c.Backlog:N0} records (b)", $"{c.AppliedPerSecond:N0} records/s ({c.AppliedIncludingStartPerSecond:N0}/s incl. node start)");
            Row(output, "plain GetRecords, same shards (a)", $"{c.PlainGetRecordsPerSecond:N0} records/s ({c.PlainGetRecordsUnthrottledPerSecond:N0}/s without the 5 calls/s limit)");
            Row(output, "incremental ratio b/a", $"{c.Ratio:F2}");
        }
        output.WriteLine();
    }

    private static void Row(TextWriter output, string name, string value) => output.WriteLine($"  {name,-40} {value}");
}
