using System.Net;
using System.Net.Sockets;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;

namespace Replication.MongoAccess;

/// <summary>
/// Turns the driver's connection failures, authentication failures and server-selection timeouts into one
/// <see cref="MongoUnavailableException"/> an operator can read: it names the operation and the host, says whether the
/// server was unreachable, refused the credentials or dropped the connection, and never repeats the connection string
/// (it may hold a password). Every other failure (a server's answer to a command, a write error) is left as the driver
/// reported it, for the caller to act on.
/// </summary>
public static class MongoFailureTranslator
{
    /// <summary>The operator's message for <paramref name="error"/>, or null when it is not a failure to reach or use the deployment.</summary>
    /// <param name="client">The client that failed; its view of the deployment says why no server could be selected.</param>
    public static MongoUnavailableException? Translate(Exception error, string operation, IMongoClient? client)
    {
        var cluster = client?.Cluster.Description;
        switch (error)
        {
            case MongoUnavailableException ours:
                return ours;
            case MongoAuthenticationException auth:
                return Authentication(operation, Host(auth.ConnectionId?.ServerId?.EndPoint), auth);
            case MongoConnectionException connection:
                return new MongoUnavailableException(
                    $"{operation} failed: the connection to MongoDB at {Host(connection.ConnectionId?.ServerId?.EndPoint)} broke: {RootMessage(connection)}",
                    MongoConnectionFailure.ConnectionBroken, connection);
            case MongoConnectionPoolPausedException paused:
                // The driver clears a server's pool after a network error until its monitor hears from the server again.
                return new MongoUnavailableException(
                    $"{operation} failed: the connection to MongoDB at {Hosts(cluster)} broke and is being re-established: {paused.Message}",
                    MongoConnectionFailure.ConnectionBroken, paused);
            case TimeoutException timeout when !timeout.Message.Contains("selecting a server", StringComparison.Ordinal):
                // A server was selected, but no pooled connection to it came free in time (or a wait ran out).
                return new MongoUnavailableException($"{operation} failed: MongoDB at {Hosts(cluster)} did not answer in time: {timeout.Message}",
                    MongoConnectionFailure.ConnectionBroken, timeout);
            case TimeoutException timeout:
                return NoServer(operation, timeout, cluster);
            default:
                return null;
        }
    }

    /// <summary>Runs one driver call; a failure to reach or use the deployment surfaces as <see cref="MongoUnavailableException"/>.</summary>
    public static async Task<T> GuardAsync<T>(IMongoClient client, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, operation, client) is { } unavailable && !ReferenceEquals(unavailable, e))
        {
            throw unavailable;
        }
    }

    private static MongoUnavailableException Authentication(string operation, string host, Exception error) =>
        new($"{operation} failed: MongoDB at {host} refused the credentials: {RootMessage(error)}", MongoConnectionFailure.Authentication, error);

    private static MongoUnavailableException NoServer(string operation, TimeoutException timeout, ClusterDescription? cluster)
    {
        var servers = cluster?.Servers ?? [];
        foreach (var server in servers)
            if (Find<MongoAuthenticationException>(server.HeartbeatException) is { } auth)
                return Authentication(operation, Host(server.EndPoint), auth);
        var reasons = servers.Where(s => s.HeartbeatException is not null)
            .Select(s => $"{Host(s.EndPoint)}: {RootMessage(s.HeartbeatException!)}").ToList();
        var why = reasons.Count > 0 ? string.Join("; ", reasons)
            : servers.Count > 0 ? $"no server of a suitable kind ({string.Join(", ", servers.Select(Describe))})"
            : "no server was found";
        return new MongoUnavailableException(
            $"{operation} failed: cannot reach MongoDB at {Hosts(cluster)} within the server selection timeout: {why}",
            MongoConnectionFailure.Unreachable, timeout);
    }

    private static string Hosts(ClusterDescription? cluster) =>
        cluster is null || cluster.Servers.Count == 0 ? "the configured hosts" : string.Join(", ", cluster.Servers.Select(s => Host(s.EndPoint)));

    private static string Describe(ServerDescription server) => $"{Host(server.EndPoint)} is {server.Type}";

    /// <summary><c>host:port</c>, without the address family the driver's endpoints print.</summary>
    public static string Host(EndPoint? endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        null => "(unknown host)",
        _ => endPoint.ToString() ?? "(unknown host)",
    };

    private static T? Find<T>(Exception? error) where T : Exception
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    /// <summary>The innermost cause, which says what actually happened ("Connection refused", "No such host is known").</summary>
    private static string RootMessage(Exception error)
    {
        var root = error;
        while (root.InnerException is not null) root = root.InnerException;
        return root is SocketException socket ? $"{socket.Message} ({socket.SocketErrorCode})" : root.Message;
    }
}
