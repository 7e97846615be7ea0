using MongoDB.Bson;
using Replication.Hocon;
using MongoDB.Driver;
using Replication.MongoAccess;

namespace Replication.Coordinator.Hosting.Startup;

/// <summary>
/// What the startup checks ask of a MongoDB deployment, in one place so that a change of driver only changes the calls
/// here: can the connection string be parsed exactly as the node will parse it, and does the deployment answer a ping.
/// </summary>
public static class MongoStartupProbe
{
    /// <summary>Null when the driver accepts <paramref name="connectionString"/>; otherwise why not (never the string itself, which may hold a password).</summary>
    public static string? ConnectionStringProblem(string connectionString)
    {
        if (connectionString.Length == 0) return "is empty";
        try
        {
            // Constructing a client parses the string with the driver itself and opens no connection.
            MongoClientFactory.Create(connectionString).Dispose();
            return null;
        }
        catch (ArgumentException e)
        {
            return "is not a valid MongoDB connection string: " + Unechoed(e.Message.Replace(" (Parameter 'connectionString')", ""), connectionString);
        }
    }

    /// <summary>
    /// Pings the deployment until it answers or <paramref name="deadline"/> passes. A failure names the host list and, when
    /// the driver only timed out, what a plain TCP connect to each host shows (refused, no answer, unknown name).
    /// </summary>
    public static async Task PingAsync(string setting, string connectionString, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var hosts = ConnectionStringRedaction.Hosts(connectionString);
        var client = MongoClientFactory.Create(connectionString);
        Task ping = MongoFailureTranslator.GuardAsync(client, "command 'ping' on database 'admin'", () =>
            client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument { { "ping", 1 } }, ReadPreference.Primary, cancellationToken));
        try
        {
            await ping.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The ping may still be selecting a server: the client is left to the exiting process rather than disposed under it.
            throw new StartupFailure(StartupFailureKind.TargetUnreachable,
                $"cannot reach MongoDB at {hosts} ({setting}): {await WhyUnreachableAsync(connectionString, cancellationToken).ConfigureAwait(false)}; " +
                $"gave up after {deadline.TotalSeconds:0.#} s (replication.startup-timeout)");
        }
        catch (Exception e) when (IsAuthenticationFailure(e))
        {
            client.Dispose();
            throw new StartupFailure(StartupFailureKind.TargetCredentials,
                $"MongoDB at {hosts} refused this node's credentials ({setting}): {Unechoed(e.Message, connectionString)}");
        }
        catch (Exception e) when (e is MongoUnavailableException or MongoException)
        {
            client.Dispose();
            throw new StartupFailure(StartupFailureKind.TargetUnreachable,
                $"cannot reach MongoDB at {hosts} ({setting}): {Unechoed(e.Message, connectionString)}");
        }
        client.Dispose();
    }

    private static bool IsAuthenticationFailure(Exception e) =>
        e is MongoUnavailableException { Failure: MongoConnectionFailure.Authentication } or MongoAuthenticationException
        || (e is MongoCommandException command && (command.Code == 18 || command.CodeName == "AuthenticationFailed"))
        || (e is MongoException && e.Message.Contains("authenticat", StringComparison.OrdinalIgnoreCase));

    private static async Task<string> WhyUnreachableAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (connectionString.StartsWith("mongodb+srv://", StringComparison.OrdinalIgnoreCase))
            return "no server answered (the hosts come from DNS SRV records)";
        var reasons = new List<string>();
        foreach (var host in ConnectionStringRedaction.Hosts(connectionString).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, port) = TcpReachability.Split(host, 27017);
            reasons.Add(await TcpReachability.ProbeAsync(name, port, TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false)
                        ?? $"{name}:{port} accepts connections but did not answer the MongoDB handshake");
        }
        return string.Join("; ", reasons);
    }

    // A driver message may quote part of the connection string; never let it carry the whole string out.
    private static string Unechoed(string message, string connectionString) =>
        message.Replace(connectionString, ConnectionStringRedaction.Redact(connectionString), StringComparison.Ordinal);
}
