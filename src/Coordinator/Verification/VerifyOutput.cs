using System.Text.Json;

namespace Replication.Coordinator.Verification;

/// <summary>What `replication verify` prints: a block per table or collection and a summary, or one JSON document.</summary>
internal static class VerifyOutput
{
    public static void WriteText(NamespaceReport report, TextWriter output)
    {
        output.WriteLine($"{report.Source} → {report.Target}");
        output.WriteLine($"  counts before: source {report.SourceEstimate}, target {report.TargetEstimate}");
        output.WriteLine($"  compared: source {report.SourceDocuments:N0}, target {report.TargetDocuments:N0} documents");
        foreach (var d in report.Listed)
        {
            var detail = d.Kind == DifferenceKind.Different ? $" fields: {string.Join(", ", d.Fields)}" : "";
            var note = d.Note is null ? "" : $" ({d.Note})";
            output.WriteLine($"  {Name(d.Kind),-9} {d.Key}{detail}{note}");
        }
        var unlisted = report.Differences - report.Listed.Count;
        output.WriteLine(report.Differences == 0
            ? "  equal"
            : $"  {report.Differences:N0} difference(s): {report.Missing:N0} missing, {report.Extra:N0} extra, {report.Different:N0} different" +
              (unlisted > 0 ? $" ({unlisted:N0} not listed: --max-differences)" : ""));
    }

    public static void WriteSummary(IReadOnlyList<NamespaceReport> reports, TextWriter output)
    {
        var differing = reports.Count(r => r.Differences > 0);
        output.WriteLine(differing == 0
            ? $"verify: source and target are equal ({reports.Count} compared, {reports.Sum(r => r.SourceDocuments):N0} documents)"
            : $"verify: {differing} of {reports.Count} differ: {reports.Sum(r => r.Missing):N0} missing, {reports.Sum(r => r.Extra):N0} extra, " +
              $"{reports.Sum(r => r.Different):N0} different");
    }

    public static void WriteJson(IReadOnlyList<NamespaceReport> reports, TextWriter output)
    {
        var result = new
        {
            equal = reports.All(r => r.Differences == 0),
            namespaces = reports.Select(r => new
            {
                source = r.Source,
                target = r.Target,
                sourceDocuments = r.SourceDocuments,
                targetDocuments = r.TargetDocuments,
                missing = r.Missing,
                extra = r.Extra,
                different = r.Different,
                differences = r.Listed.Select(d => new { kind = Name(d.Kind), key = d.Key, fields = d.Fields, note = d.Note }),
            }),
        };
        output.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
    }

    private static string Name(DifferenceKind kind) => kind.ToString().ToLowerInvariant();
}

/// <summary>On a terminal, one line on stderr redrawn twice a second: what is being compared and what was found so far.</summary>
internal sealed class VerifyProgressLine : IDisposable
{
    private readonly VerificationRun _run;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private int _width;

    private VerifyProgressLine(VerificationRun run)
    {
        _run = run;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    public static VerifyProgressLine? StartIfTerminal(VerificationRun run) => Console.IsErrorRedirected ? null : new VerifyProgressLine(run);

    public void Clear()
    {
        lock (_gate)
        {
            if (_width == 0) return;
            Console.Error.Write("\r" + new string(' ', _width) + "\r");
            _width = 0;
        }
    }

    private void Draw()
    {
        if (_run.Current is not { } r) return;
        var line = $"verifying {r.Source}: {r.SourceDocuments:N0} source and {r.TargetDocuments:N0} target documents read, {r.Differences:N0} difference(s)";
        lock (_gate)
        {
            Console.Error.Write("\r" + line.PadRight(_width));
            _width = Math.Max(_width, line.Length);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Clear();
    }
}
