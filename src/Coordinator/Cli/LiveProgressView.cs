using Spectre.Console;

namespace Replication.Coordinator.Cli;

/// <summary>The interactive terminal view of a run: one row per table, redrawn twice a second until the run ends.</summary>
internal static class LiveProgressView
{
    /// <summary>True when stdout is a terminal that can redraw; otherwise progress goes to the log.</summary>
    public static bool IsAvailable => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static Task RunAsync(ProgressTracker tracker, Task until) =>
        AnsiConsole.Live(Render(tracker)).AutoClear(false).StartAsync(async context =>
        {
            while (!until.IsCompleted)
            {
                await Task.WhenAny(until, Task.Delay(500)).ConfigureAwait(false);
                context.UpdateTarget(Render(tracker));
            }
        });

    private static Table Render(ProgressTracker tracker)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("replication")
            .AddColumns("table", "phase", "items", "rate/s", "ETA", "segments", "dead letters");
        foreach (var t in tracker.Snapshot())
        {
            var items = t.EstimatedItems is > 0 ? $"{t.Items:N0} / ~{t.EstimatedItems:N0}" : $"{t.Items:N0}";
            table.AddRow(Markup.Escape(t.Table), t.Phase, items, $"{t.ItemsPerSecond:N0}",
                t.Eta is { } eta ? eta.ToString(@"hh\:mm\:ss") : "-", $"{t.SegmentsDone}/{t.TotalSegments}",
                t.DeadLettered == 0 ? "0" : $"[yellow]{t.DeadLettered:N0}[/]");
        }
        if (table.Rows.Count == 0) table.AddRow("(discovering tables…)", "", "", "", "", "", "");
        return table;
    }
}
