using System.CommandLine;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Configuration;
using Replication.Coordinator.Discovery;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Hosting.Startup;
using Replication.Coordinator.Verification;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.ShardActors.MongoSource;

namespace Replication.Coordinator.Cli;

/// <summary>
/// <c>replication verify --config FILE</c>: compares the source with the target — counts, then every document by key —
/// and lists what is missing, extra or different; exits with <see cref="ExitCodes.DifferencesFound"/> when they differ.
/// </summary>
internal static class VerifyCommand
{
    private static readonly Option<string[]> Tables = new("--tables")
    {
        Description = "Only these tables (DynamoDB) or namespaces db.collection / databases (MongoDB), comma-separated, * wildcards; " +
                      "among those the configuration replicates",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<int?> MaxDifferences = new("--max-differences") { Description = "Differences listed (the rest are counted); default replication.verify.max-differences" };
    private static readonly Option<int?> RateLimit = new("--rate-limit") { Description = "Documents per second read from both sides together, 0 = unlimited; default replication.verify.rate-limit" };
    private static readonly Option<int?> Parallelism = new("--parallelism") { Description = "Scan segments or _id ranges compared at once; default replication.verify.parallelism" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as one JSON document" };

    public static Command Create()
    {
        var command = new Command("verify", "Compare the source with the target: counts, then every document by key; exit 10 when they differ");
        command.Options.Add(CliOptions.Config);
        command.Options.Add(CliOptions.Set);
        command.Options.Add(Tables);
        command.Options.Add(MaxDifferences);
        command.Options.Add(RateLimit);
        command.Options.Add(Parallelism);
        command.Options.Add(Json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliOptions.LoadConfiguration(parse);
            if (loaded is null) return ExitCodes.BadConfiguration;
            var settings = loaded.Settings;
            var verify = settings.Verify with
            {
                MaxDifferences = parse.GetValue(MaxDifferences) ?? settings.Verify.MaxDifferences,
                RateLimit = parse.GetValue(RateLimit) ?? settings.Verify.RateLimit,
                Parallelism = parse.GetValue(Parallelism) ?? settings.Verify.Parallelism,
            };
            if (verify.MaxDifferences < 0 || verify.RateLimit < 0 || verify.Parallelism < 1)
            {
                await Console.Error.WriteLineAsync("error: --max-differences and --rate-limit must be 0 or more, --parallelism 1 or more").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }
            settings = settings with { Verify = verify };
            foreach (var warning in loaded.Warnings) await Console.Error.WriteLineAsync($"warning: {warning.Message}").ConfigureAwait(false);
            var patterns = (parse.GetValue(Tables) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
            try
            {
                await ProbeAsync(settings, cancellationToken).ConfigureAwait(false);
                return await VerifyAsync(settings, patterns, parse.GetValue(Json), cancellationToken).ConfigureAwait(false);
            }
            catch (StartupFailure e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.For(e.Kind);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("verify: stopped on request before it finished; nothing is known about what was not compared").ConfigureAwait(false);
                return ExitCodes.ReplicationFailed;
            }
        });
        return command;
    }

    /// <summary>The same checks as `run` makes before it starts, so an unreachable side is one line and its own exit code.</summary>
    private static async Task ProbeAsync(ReplicationSettings settings, CancellationToken cancellationToken)
    {
        var timeout = settings.StartupTimeout;
        var source = settings.Source.Type == SourceType.DynamoDb
            ? DynamoStartupProbe.CheckAsync(ReplicationNode.DynamoOptions(settings.Source.DynamoDb),
                settings.Source.DynamoDb.Endpoint.Length > 0 ? "replication.source.dynamodb.endpoint" : "replication.source.dynamodb.region", timeout, cancellationToken)
            : PingSourceAsync(settings.Source.MongoUri, timeout, cancellationToken);
        var target = MongoStartupProbe.PingAsync("replication.target.mongodb.uri", settings.Target.Uri, timeout, cancellationToken);
        var all = Task.WhenAll(source, target);
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (StartupFailure)
        {
            throw all.Exception!.InnerExceptions.OfType<StartupFailure>().First();
        }
    }

    private static async Task PingSourceAsync(string uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await MongoStartupProbe.PingAsync("replication.source.mongodb.uri", uri, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (StartupFailure e)
        {
            throw new StartupFailure(e.Kind == StartupFailureKind.TargetCredentials ? StartupFailureKind.SourceCredentials : StartupFailureKind.SourceUnreachable, e.Message);
        }
    }

    private static async Task<int> VerifyAsync(ReplicationSettings settings, string[] patterns, bool json, CancellationToken cancellationToken)
    {
        using var target = MongoClientFactory.Create(settings.Target.Uri);
        IReadOnlyList<NamespacePlan> plans;
        IDisposable? sourceResources;
        try
        {
            (plans, sourceResources) = await PlanAsync(settings, patterns, target, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }
        using var sourceClients = sourceResources;
        if (plans.Count == 0)
        {
            await Console.Error.WriteLineAsync($"error: nothing to verify: no {(settings.Source.Type == SourceType.DynamoDb ? "table" : "collection")} of the source " +
                $"matches replication.filter (include [{string.Join(", ", settings.Filter.Include)}], exclude [{string.Join(", ", settings.Filter.Exclude)}])" +
                (patterns.Length > 0 ? $" and --tables {string.Join(",", patterns)}" : "")).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var run = new VerificationRun(settings.Verify);
        using var progress = VerifyProgressLine.StartIfTerminal(run);
        var reports = await run.RunAsync(plans, report =>
        {
            if (json) return;
            progress?.Clear();
            VerifyOutput.WriteText(report, Console.Out);
        }, cancellationToken).ConfigureAwait(false);
        progress?.Clear();
        if (json) VerifyOutput.WriteJson(reports, Console.Out);
        else VerifyOutput.WriteSummary(reports, Console.Out);
        return reports.Any(r => r.Differences > 0) ? ExitCodes.DifferencesFound : ExitCodes.Success;
    }

    private static async Task<(IReadOnlyList<NamespacePlan>, IDisposable?)> PlanAsync(ReplicationSettings settings, string[] patterns, IMongoClient target,
        CancellationToken cancellationToken)
    {
        if (settings.Source.Type == SourceType.MongoDb)
        {
            var source = MongoClientFactory.Create(settings.Source.MongoUri);
            var narrowing = new NamespaceMap(patterns.Length > 0 ? patterns : ["*"], [], new Dictionary<string, string>());
            var plans = await new MongoVerificationSource(settings, source, target).PlanAsync(ns => narrowing.Includes(ns), cancellationToken).ConfigureAwait(false);
            return (plans, source);
        }
        var options = ReplicationNode.DynamoOptions(settings.Source.DynamoDb);
        var transport = new DynamoHttpTransport(options);
        var control = await DynamoControlClientFactory.CreateAsync(options, cancellationToken).ConfigureAwait(false);
        var dynamo = new DynamoVerificationSource(settings, new DynamoTableCatalog(control), new DynamoScanClient(transport), target.GetDatabase(settings.Target.Database));
        var tablePlans = await dynamo.PlanAsync(new TableFilter(patterns.Length > 0 ? patterns : ["*"], []), cancellationToken).ConfigureAwait(false);
        return (tablePlans, new Disposables(transport, control));
    }

    private sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }
}
