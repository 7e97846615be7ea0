using System.Diagnostics;
using System.Text.RegularExpressions;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Discovery;
using Replication.MongoAccess;
using Replication.Testing.Comparison;
using Replication.Testing.DynamoLocal;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Testing.Demo;

/// <summary>
/// The end-to-end demo: DynamoDB Local and the in-memory MongoDB server, two sample tables, the real `replication`
/// executable as a child process, source changes during and after the full sync, then a check that the target holds
/// exactly the source's items. Exit code 0 only when every table matches.
/// </summary>
public sealed partial class DemoRun(DemoOptions options)
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(20);
    /// <summary>Changes keep coming this long after the last full sync finished, so some arrive by the stream alone.</summary>
    private static readonly TimeSpan ChurnAfterFullSync = TimeSpan.FromSeconds(3);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        DemoResult result;
        Step("starting DynamoDB Local (the AWS emulator, in memory)");
        await using (var dynamo = await DynamoDbLocal.StartAsync(cancellationToken).ConfigureAwait(false))
        {
            Detail($"DynamoDB Local on {dynamo.ServiceUrl}");
            Step("starting the in-memory MongoDB server (the project's TEST DOUBLE speaking the wire protocol — not a real mongod, nothing is persisted)");
            await using (var mongo = new InMemoryMongoServer(new InMemoryMongoServerOptions()))
            {
                Detail($"in-memory test server on {mongo.ConnectionString}");
                result = await ReplicateAsync(dynamo, mongo, cancellationToken).ConfigureAwait(false);
                Step("stopping DynamoDB Local and the in-memory MongoDB server");
            }
        }
        return Report(result);
    }

    /// <summary>Everything the closing summary needs, gathered before the servers stop.</summary>
    private sealed record DemoResult(
        ReplicationSettings Settings,
        IReadOnlyList<TableCheckpoint> Tables,
        IReadOnlyList<ReplicaDifference> Differences,
        ChurnCounts Churned,
        long ChangesApplied,
        IReadOnlyList<string> Problems);

    private async Task<DemoResult> ReplicateAsync(DynamoDbLocal dynamo, InMemoryMongoServer mongo, CancellationToken cancellationToken)
    {
        using var sdk = dynamo.CreateClient();
        Step($"creating {DemoTables.Items} ({options.Items} items of every DynamoDB type) and {DemoTables.Orders} ({options.Orders} orders, composite key)");
        var loading = Stopwatch.StartNew();
        await DemoTables.CreateAsync(sdk, options.Items, options.Orders, cancellationToken).ConfigureAwait(false);
        Detail($"loaded in {loading.Elapsed.TotalSeconds:0.0} s");

        string[] overrides =
        [
            $"replication.source.dynamodb.endpoint=\"{dynamo.ServiceUrl.ToString().TrimEnd('/')}\"",
            $"replication.target.mongodb.uri=\"{mongo.ConnectionString}\"",
        ];
        var settings = ReplicationConfiguration.Load(options.ConfigFile, overrides, new Dictionary<string, string>()).Settings;
        using var client = MongoClientFactory.Create(mongo.ConnectionString);
        var checkpoints = new CheckpointStore(client.GetDatabase(settings.CheckpointDatabase), settings.DeadLetterCollection);
        var problems = new List<string>();

        string[] arguments = ["run", "--config", options.ConfigFile, .. overrides.SelectMany(o => new[] { "--set", o })];
        Step($"starting replication: {Relative(options.ReplicationExecutable)} {string.Join(' ', arguments.Select(Quote))}");
        await using var replication = ReplicationProcess.Start(options.ReplicationExecutable, arguments, ChildLine);

        var churn = new SourceChurn(sdk, options.Items, options.Orders);
        var churnStarted = Stopwatch.StartNew();
        TimeSpan? fullSyncsDoneAt = null;
        using var stopChurn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var churning = churn.RunAsync(options.ChangesPerSecond,
            () => churnStarted.Elapsed < options.ChurnDuration || fullSyncsDoneAt is not { } done || churnStarted.Elapsed - done < ChurnAfterFullSync,
            stopChurn.Token);
        Detail($"writing up to {options.ChangesPerSecond} changes/s to the source (inserts, updates, deletes) during and after the full sync");
        try
        {
            await WaitForFullSyncsAsync(checkpoints, replication, cancellationToken).ConfigureAwait(false);
            fullSyncsDoneAt = churnStarted.Elapsed;
            await churning.ConfigureAwait(false);
        }
        finally
        {
            await stopChurn.CancelAsync().ConfigureAwait(false);
            try
            {
                await churning.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        var churned = churn.Counts;
        Detail($"source changes written: {churned.Total} ({churned.Inserts} inserts, {churned.Updates} updates, {churned.Deletes} deletes)");

        Step("waiting until MongoDB holds exactly the source's items (the AWS SDK's consistent Scan, converted by the demo's own " +
             "reading of the README's mapping, vs find; maps compared without order)");
        var comparison = new ReplicaComparison(sdk, client.GetDatabase(settings.Target.Database), settings.Convert.Mode, settings.Convert.Key);
        var naming = new CollectionNaming(settings.Renames);
        var differences = new List<ReplicaDifference>();
        foreach (var table in DemoTables.All)
        {
            var difference = await comparison.WaitUntilEqualAsync(table, naming.CollectionFor(table), options.Timeout, cancellationToken).ConfigureAwait(false);
            differences.Add(difference);
            Detail($"{table}: {difference}");
            if (!difference.IsMatch) problems.Add($"{table} does not match after {options.Timeout.TotalSeconds:0} s: {difference}");
        }

        var tables = new List<TableCheckpoint>();
        long changesApplied = 0;
        foreach (var table in DemoTables.All)
        {
            tables.Add(await checkpoints.GetTableAsync(table, cancellationToken).ConfigureAwait(false)
                       ?? throw new DemoFailedException($"replication wrote no checkpoint for {table}"));
            changesApplied += (await checkpoints.ListShardsAsync(table, cancellationToken).ConfigureAwait(false)).Sum(s => s.RecordsApplied);
        }
        var deadLetters = await checkpoints.CountDeadLettersAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (deadLetters > 0) problems.Add($"{deadLetters} items were dead-lettered (see {settings.CheckpointDatabase}.{settings.DeadLetterCollection})");

        Step("stopping replication with SIGINT (Ctrl-C)");
        var (exitCode, how) = await replication.StopAsync(StopPatience).ConfigureAwait(false);
        Detail($"replication {how}, exit code {exitCode}");
        // 130 and 143 (128 + SIGINT, SIGTERM): how `replication run` reports a requested stop; only a kill or another code is a problem.
        if (exitCode is not (0 or 130 or 143) || how.StartsWith("killed", StringComparison.Ordinal))
            problems.Add($"replication exited with code {exitCode} ({how})");
        return new DemoResult(settings, tables, differences, churned, changesApplied, problems);
    }

    private int Report(DemoResult result)
    {
        Console.WriteLine();
        Console.WriteLine("summary");
        foreach (var t in result.Tables)
        {
            var took = t.FullSync is { StartedAt: { } s, FinishedAt: { } f } ? $"{(f - s).TotalSeconds:0.0} s" : "?";
            Console.WriteLine($"  {t.Table,-12} → {result.Settings.Target.Database}.{t.Collection}: full sync copied {t.FullSync.ItemsWritten} items in {took} ({t.FullSync.TotalSegments} segments)");
        }
        Console.WriteLine($"  source changes written by the demo: {result.Churned.Total} ({result.Churned.Inserts} inserts, {result.Churned.Updates} updates, {result.Churned.Deletes} deletes)");
        // Changes made before the stream start positions were learned reach the target through the Scan instead.
        Console.WriteLine($"  stream records applied by replication: {result.ChangesApplied} (earlier changes arrived with the full sync's Scan)");
        var management = result.Settings.Management;
        Console.WriteLine($"  management endpoints (while replication runs): http://{management.Hostname}:{management.Port}/progress, /cluster/members, /metrics; or `replication status --url http://{management.Hostname}:{management.Port}`");
        Console.WriteLine($"  demo took {_clock.Elapsed.TotalSeconds:0} s");
        Console.WriteLine();
        if (result.Problems.Count == 0)
        {
            Console.WriteLine($"OK: target and source match ({result.Differences.Count} tables, {result.Differences.Sum(d => d.SourceCount)} documents)");
            return 0;
        }
        foreach (var problem in result.Problems) Console.WriteLine($"FAILED: {problem}");
        return 1;
    }

    /// <summary>Polls the checkpoints until every demo table's full sync is Done; the child dying first is a failure that says so.</summary>
    private async Task WaitForFullSyncsAsync(CheckpointStore checkpoints, ReplicationProcess replication, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new HashSet<string>(DemoTables.All);
        while (pending.Count > 0)
        {
            if (replication.HasExited)
                throw new DemoFailedException($"replication exited with code {replication.ExitCode} before the full sync finished (its output is above)");
            if (deadline.Elapsed > options.Timeout)
                throw new DemoFailedException($"the full sync of {string.Join(", ", pending)} did not finish within {options.Timeout.TotalSeconds:0} s");
            foreach (var table in pending.ToList())
            {
                var checkpoint = await checkpoints.GetTableAsync(table, cancellationToken).ConfigureAwait(false);
                if (checkpoint?.FullSync is not { Status: FullSyncStatus.Done } fullSync) continue;
                pending.Remove(table);
                var took = fullSync is { StartedAt: { } s, FinishedAt: { } f } ? $" in {(f - s).TotalSeconds:0.0} s" : "";
                Detail($"full sync of {table} done: {fullSync.ItemsWritten} items{took}");
            }
            if (pending.Count > 0) await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Step(string text) => Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {text}");

    private static void Detail(string text) => Console.WriteLine($"         {text}");

    /// <summary>
    /// The child's log lines, indented under a label so they read as the product's own output; the console logger's
    /// "HH:mm:ss info: Namespace.Category[0] message" is shortened to "HH:mm:ss info Category: message".
    /// </summary>
    private static void ChildLine(string line)
    {
        var match = LogLine().Match(line);
        var text = !match.Success ? line
            : match.Groups["category"].Value == "replication" ? $"{match.Groups["time"].Value} {match.Groups["level"].Value} {match.Groups["message"].Value}"
            : $"{match.Groups["time"].Value} {match.Groups["level"].Value} {match.Groups["category"].Value.Split('.')[^1]}: {match.Groups["message"].Value}";
        Console.WriteLine($"         │ replication │ {text}");
    }

    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d) (?<level>\w+): (?<category>[\w.]+)\[\d+\] (?<message>.*)$")]
    private static partial Regex LogLine();

    private static string Relative(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path);

    private static string Quote(string argument) => argument.Contains(' ') || argument.Contains('"') ? $"'{argument}'" : argument;
}

/// <summary>The demo could not reach its end; the message says which step failed and why.</summary>
public sealed class DemoFailedException(string message) : Exception(message);
