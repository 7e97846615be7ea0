using System.Globalization;
using Replication.Coordinator.Management.Cluster;
using Replication.Coordinator.Management.Progress;
using Spectre.Console;

namespace Replication.Coordinator.Cli;

/// <summary>Prints a <see cref="ClusterStatus"/> as tables: members, leases per node, progress per table (and per change stream for a MongoDB source).</summary>
internal static class StatusView
{
    public static void Write(IAnsiConsole console, ClusterStatus status)
    {
        if (status.Members is { } members) WriteMembers(console, members, status.Shards);
        if (status.Shards is { } shards) WriteLeases(console, shards);
        if (status.Progress is { } progress) WriteProgress(console, progress);
    }

    private static void WriteMembers(IAnsiConsole console, ClusterMembersResponse members, ClusterShardsResponse? shards)
    {
        var unreachable = members.Unreachable.Select(u => u.Node).ToHashSet(StringComparer.Ordinal);
        var leases = shards?.Owners.ToDictionary(o => o.Node, o => o.Leases, StringComparer.Ordinal);
        var coordinators = shards?.Owners.Where(o => o.Coordinator > 0).Select(o => o.Node).ToHashSet(StringComparer.Ordinal) ?? [];
        var table = new Table().Title("members").AddColumns("node", "status", "reachable", "roles", "leases held", "");
        foreach (var member in members.Members)
        {
            var notes = new List<string>();
            if (member.Node == members.SelfNode) notes.Add("self");
            if (member.Node == members.Leader) notes.Add("leader");
            if (coordinators.Contains(member.Node)) notes.Add("coordinator");
            if (member.Node == members.Oldest) notes.Add("oldest");
            table.AddRow(
                Markup.Escape(member.Node),
                Markup.Escape(member.Status),
                unreachable.Contains(member.Node) ? "[red]no[/]" : "yes",
                Markup.Escape(member.Roles.Count == 0 ? "-" : string.Join(", ", member.Roles)),
                leases is null ? "?" : leases.GetValueOrDefault(member.Node).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", notes)));
        }
        if (members.Members.Count == 0) table.AddRow("(no members)", "", "", "", "", "");
        console.Write(table);
    }

    private static void WriteLeases(IAnsiConsole console, ClusterShardsResponse shards)
    {
        var table = new Table().Title("leases per node").AddColumns("node", "leases", "coordinator", "segments", "shards");
        foreach (var owner in shards.Owners)
            table.AddRow(Markup.Escape(owner.Node), Count(owner.Leases), Count(owner.Coordinator), Count(owner.Segments), Count(owner.Shards));
        table.AddRow("(free or expired)", Count(shards.Free), "", "", "");
        console.Write(table);
    }

    private static void WriteProgress(IAnsiConsole console, ProgressReport progress)
    {
        var lag = progress.LagTimeSeconds is { } seconds ? $"lag {seconds} s" : "no shard processing";
        console.MarkupLine(Markup.Escape($"progress: {progress.State}, {progress.Info}; {lag}; {progress.TotalEventsApplied:N0} events applied"));
        var table = new Table().Title("tables").AddColumns("table", "collection", "phase", "items", "items/s", "ETA", "segments", "shards done/processing/total", "events", "lag");
        foreach (var t in progress.Tables)
        {
            var copy = t.FullSync;
            table.AddRow(
                Markup.Escape(t.Table),
                Markup.Escape(t.Collection),
                Markup.Escape(t.Phase),
                copy.EstimatedItems is > 0 ? $"{copy.ItemsWritten:N0} / ~{copy.EstimatedItems:N0}" : $"{copy.ItemsWritten:N0}",
                copy.ItemsPerSecond is { } rate ? rate.ToString("N0", CultureInfo.InvariantCulture) : "-",
                copy.EtaSeconds is { } eta ? TimeSpan.FromSeconds(Math.Round(eta)).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-",
                $"{copy.SegmentsDone}/{copy.TotalSegments}",
                $"{t.Shards.Done}/{t.Shards.Processing}/{t.Shards.Total}",
                t.EventsApplied.ToString("N0", CultureInfo.InvariantCulture),
                t.LagSeconds is { } tableLag ? $"{tableLag:0.#} s" : "-");
        }
        if (progress.Tables.Count == 0) table.AddRow("(no tables yet)", "", "", "", "", "", "", "", "", "");
        console.Write(table);
        WriteChangeStreams(console, progress);
        WriteNodes(console, progress);
        WriteFailedUnits(console, progress);
    }

    /// <summary>In a cluster: what each member holds and how fast its units go.</summary>
    private static void WriteNodes(IAnsiConsole console, ProgressReport progress)
    {
        if (progress.Nodes is not { Count: > 0 } nodes) return;
        var mongoSource = nodes.Any(n => n.Ranges is not null);
        var table = new Table().Title("work per member").AddColumns("member", mongoSource ? "ranges" : "segments", mongoSource ? "change streams" : "shards", "items/s");
        foreach (var node in nodes)
        {
            table.AddRow(Markup.Escape(node.Node), Count((mongoSource ? node.Ranges : node.Segments) ?? 0), Count((mongoSource ? node.ChangeStreams : node.Shards) ?? 0),
                node.ItemsPerSecond is { } rate ? rate.ToString("N0", CultureInfo.InvariantCulture) : "-");
        }
        console.Write(table);
    }

    /// <summary>A MongoDB source's change streams, with the member following each (in a cluster).</summary>
    private static void WriteChangeStreams(IAnsiConsole console, ProgressReport progress)
    {
        if (progress.ChangeStreams is not { Count: > 0 } streams) return;
        var table = new Table().Title("change streams").AddColumns("stream", "status", "followed by", "events", "lag");
        foreach (var stream in streams)
        {
            table.AddRow(Markup.Escape(stream.Unit), Markup.Escape(stream.Status), Markup.Escape(stream.Owner ?? "-"),
                stream.EventsApplied.ToString("N0", CultureInfo.InvariantCulture), stream.LagSeconds is { } lag ? $"{lag:0.#} s" : "-");
        }
        console.Write(table);
    }

    private static void WriteFailedUnits(IAnsiConsole console, ProgressReport progress)
    {
        var failed = progress.Tables.SelectMany(t => (t.FailedUnits ?? []).Select(u => (t.Table, Unit: u))).ToList();
        if (failed.Count == 0) return;
        var table = new Table().Title("[red]stopped after repeated failures[/]").AddColumns("table", "unit", "position", "restarts", "since", "error");
        foreach (var (name, unit) in failed)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(unit.Unit), Markup.Escape(unit.Position ?? "(start)"), Count(unit.Restarts),
                Markup.Escape(unit.At.ToString("u", CultureInfo.InvariantCulture)), Markup.Escape(unit.Error));
        }
        console.Write(table);
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
