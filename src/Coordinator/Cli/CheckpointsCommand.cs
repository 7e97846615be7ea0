using System.CommandLine;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.MongoAccess;
using Spectre.Console;

namespace Replication.Coordinator.Cli;

/// <summary><c>replication checkpoints list|reset</c>: what each table's checkpoints say, and forgetting a table.</summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var command = new Command("checkpoints", "Inspect or reset checkpoints");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Reset());
        return command;
    }

    private static Command List()
    {
        var list = new Command("list", "List every table's full-sync state and its shards' positions");
        list.Options.Add(CliOptions.Config);
        list.Options.Add(CliOptions.Set);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliOptions.LoadConfiguration(parse);
            if (loaded is null) return ExitCodes.BadConfiguration;
            if (loaded.Settings.Source.Type == SourceType.MongoDb) return await MongoCheckpointsCommand.ListAsync(loaded.Settings, cancellationToken).ConfigureAwait(false);
            using var client = MongoClientFactory.Create(loaded.Settings.CheckpointUri);
            var store = new CheckpointStore(client.GetDatabase(loaded.Settings.CheckpointDatabase), loaded.Settings.DeadLetterCollection);
            var tables = await store.ListTablesAsync(cancellationToken).ConfigureAwait(false);
            if (tables.Count == 0)
            {
                Console.WriteLine($"no checkpoints in {loaded.Settings.CheckpointDatabase}");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("table", "collection", "generation", "full sync", "items", "segments done", "shards", "dead letters");
            foreach (var t in tables)
            {
                var shards = await store.ListShardsAsync(t.Table, cancellationToken).ConfigureAwait(false);
                var dead = await store.CountDeadLettersAsync(t.Table, cancellationToken).ConfigureAwait(false);
                var byStatus = string.Join(", ", shards.GroupBy(s => s.Status).Select(g => $"{g.Count()} {g.Key}"));
                table.AddRow(Markup.Escape(t.Table), Markup.Escape(t.Collection), t.Generation.ToString(), t.FullSync.Status.ToString(),
                    t.FullSync.ItemsWritten.ToString(), $"{t.FullSync.Segments.Values.Count(s => s.Status == SegmentStatus.Done)}/{t.FullSync.TotalSegments}",
                    byStatus.Length == 0 ? "-" : byStatus, dead.ToString());
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Reset()
    {
        var tableOption = new Option<string>("--table") { Description = "The source table whose checkpoints are deleted (DynamoDB source; a MongoDB source is reset as a whole)" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the table's next run starts with a full sync" };
        var reset = new Command("reset", "Forget a table's checkpoints so its next run starts over with a full sync");
        reset.Options.Add(CliOptions.Config);
        reset.Options.Add(CliOptions.Set);
        reset.Options.Add(tableOption);
        reset.Options.Add(yes);
        reset.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliOptions.LoadConfiguration(parse);
            if (loaded is null) return ExitCodes.BadConfiguration;
            var name = parse.GetValue(tableOption);
            var mongo = loaded.Settings.Source.Type == SourceType.MongoDb;
            if (!parse.GetValue(yes))
            {
                Console.Error.WriteLine($"refusing to reset {(mongo ? "the MongoDB source" : $"'{name}'")} without --yes (its next run starts with a full sync)");
                return ExitCodes.BadConfiguration;
            }
            if (mongo) return await MongoCheckpointsCommand.ResetAsync(loaded.Settings, name, cancellationToken).ConfigureAwait(false);
            if (name is null)
            {
                Console.Error.WriteLine("--table is required for a DynamoDB source");
                return ExitCodes.BadConfiguration;
            }
            using var client = MongoClientFactory.Create(loaded.Settings.CheckpointUri);
            var store = new CheckpointStore(client.GetDatabase(loaded.Settings.CheckpointDatabase), loaded.Settings.DeadLetterCollection);
            var existed = await store.ResetTableAsync(name, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(existed ? $"checkpoints of '{name}' deleted" : $"'{name}' had no checkpoints");
            return ExitCodes.Success;
        });
        return reset;
    }
}
