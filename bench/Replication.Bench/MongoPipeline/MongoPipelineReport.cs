namespace Replication.Bench.MongoPipeline;

/// <summary>The MongoDB → MongoDB run's figures as a plain-text table, like the DynamoDB run's.</summary>
public static class MongoPipelineReport
{
    public static void Print(MongoPipelineResults r, TextWriter output)
    {
        var s = r.Settings;
        output.WriteLine();
        output.WriteLine($"MongoDB → MongoDB — {r.Cores} cores, {r.Os}, {r.Runtime}; load average {r.LoadAverage ?? "n/a"}; " +
                         $"{s.Documents:N0} documents (~{r.AverageDocumentBytes:N0} B) in {s.Collections} collections");
        output.WriteLine("Source and target: in-memory MongoDB test servers (separate processes).");
        Row(output, "load (insertMany, parallel)", $"{r.LoadDocumentsPerSecond:N0} documents/s");
        Row(output, "plain find, a cursor per collection (a)", $"{r.PlainFindDocumentsPerSecond:N0} documents/s");
        Row(output, "full sync (b)", $"{r.FullSyncDocumentsPerSecond:N0} documents/s ({r.FullSyncWallDocumentsPerSecond:N0}/s incl. node start)");
        Row(output, "full-sync ratio b/a", $"{r.FullSyncRatio:F2}");
        Row(output, "plain copy, find + insertMany (c)", $"{r.PlainCopyDocumentsPerSecond:N0} documents/s");
        Row(output, "full sync ÷ plain copy b/c", $"{r.FullSyncRatioToPlainCopy:F2}");
        if (r.PlainFindCpu is { } pc) Row(output, "  where the cores went, plain find", Cores(pc));
        if (r.PlainCopyCpu is { } cc) Row(output, "  where the cores went, plain copy", Cores(cc));
        if (r.FullSyncCpu is { } fc) Row(output, "  where the cores went, full sync", Cores(fc));
        Row(output, "peak RSS of the node, full sync", r.FullSyncPeakRssMegabytes is { } mb ? $"{mb:N0} MB ({r.PeakRssSource})" : "n/a");
        if (r.CatchUp is { } c)
        {
            Row(output, $"catch-up of {c.Backlog:N0} changes (b)", $"{c.AppliedPerSecond:N0} events/s ({c.AppliedIncludingStartPerSecond:N0}/s incl. node start)");
            Row(output, "  backlog", $"{c.Inserts:N0} inserts, {c.Updates:N0} updates, {c.Deletes:N0} deletes");
            Row(output, "plain watch, same resume token (a)", $"{c.PlainWatchEventsPerSecond:N0} events/s");
            Row(output, "incremental ratio b/a", $"{c.Ratio:F2}");
            Row(output, "plain watch + apply, bulk per batch (c)", $"{c.PlainApplyEventsPerSecond:N0} events/s");
            Row(output, "catch-up ÷ plain watch + apply b/c", $"{c.RatioToPlainApply:F2}");
            if (c.Cpu is { } uc) Row(output, "  where the cores went, catch-up", Cores(uc));
        }
        var v = r.Verification;
        Row(output, "target == source (byte for byte)", v.Equal
            ? $"yes, {v.TargetDocuments:N0} documents"
            : $"NO — source {v.SourceDocuments:N0}, target {v.TargetDocuments:N0} documents: {v.Difference}");
        output.WriteLine();
    }

    /// <summary>PhaseCpu names its third process "MongoDB server"; here both servers are MongoDB, and it is the target.</summary>
    private static string Cores(Pipeline.PhaseCpu cpu) => cpu.ToString().Replace("MongoDB server", "target server");

    private static void Row(TextWriter output, string name, string value) => output.WriteLine($"  {name,-40} {value}");
}
