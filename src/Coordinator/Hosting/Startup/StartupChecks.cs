using Replication.Configuration;

namespace Replication.Coordinator.Hosting.Startup;

/// <summary>
/// What `replication run` proves before it starts any work, all within <see cref="ReplicationSettings.StartupTimeout"/>:
/// the connection strings parse, AWS credentials exist and DynamoDB accepts them, and the target and checkpoint
/// MongoDB answer. A failure is one <see cref="StartupFailure"/> naming the setting and the host. Once the node runs,
/// a lost dependency is retried forever instead (and reported, see DependencyHealth).
/// </summary>
public static class StartupChecks
{
    /// <summary>Every connection string the node will open, with the key it came from; used by check-config too.</summary>
    public static IEnumerable<(string Setting, string Uri)> ConnectionStrings(ReplicationSettings settings)
    {
        yield return ("replication.target.mongodb.uri", settings.Target.Uri);
        if (settings.Checkpoint.Uri.Length > 0) yield return ("replication.checkpoint.uri", settings.Checkpoint.Uri);
        if (settings.Source.Type == SourceType.MongoDb) yield return ("replication.source.mongodb.uri", settings.Source.MongoUri);
    }

    /// <summary>Each connection string the driver refuses, as "key[ at file:line]: why" (the string itself is never shown).</summary>
    public static IReadOnlyList<string> ConnectionStringProblems(ReplicationSettings settings) =>
        ConnectionStrings(settings)
            .Select(c => (c.Setting, Problem: MongoStartupProbe.ConnectionStringProblem(c.Uri)))
            .Where(c => c.Problem is not null)
            .Select(c => $"{c.Setting}{Origin(settings, c.Setting)}: {c.Problem}")
            .ToList();

    public static async Task RunAsync(ReplicationSettings settings, CancellationToken cancellationToken)
    {
        if (ConnectionStringProblems(settings) is [var first, ..])
            throw new StartupFailure(StartupFailureKind.BadConfiguration, first);

        var timeout = settings.StartupTimeout;
        var source = settings.Source.Type == SourceType.DynamoDb
            ? DynamoStartupProbe.CheckAsync(ReplicationNode.DynamoOptions(settings.Source.DynamoDb), SourceSetting(settings.Source.DynamoDb), timeout, cancellationToken)
            : MongoStartupProbe.PingAsync("replication.source.mongodb.uri", settings.Source.MongoUri, timeout, cancellationToken);
        var targets = ConnectionStrings(settings).Where(c => c.Setting != "replication.source.mongodb.uri")
            .DistinctBy(c => c.Uri)
            .Select(c => MongoStartupProbe.PingAsync(c.Setting, c.Uri, timeout, cancellationToken))
            .ToList();
        // All run at once, so the whole check takes one timeout at most; the source's failure is reported first.
        var all = Task.WhenAll([source, .. targets]);
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (StartupFailure)
        {
            throw all.Exception!.InnerExceptions.OfType<StartupFailure>().First();
        }
    }

    private static string SourceSetting(DynamoSourceSettings source) =>
        source.Endpoint.Length > 0 ? "replication.source.dynamodb.endpoint" : "replication.source.dynamodb.region";

    private static string Origin(ReplicationSettings settings, string setting) =>
        settings.Configuration?.GetValue(setting)?.Origin is { } origin ? $" at {origin.ToShortString()}" : "";
}
