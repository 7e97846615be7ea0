using System.Net;
using System.Net.Sockets;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;
using Driver = MongoDB.Driver;

namespace Replication.Mongo;

/// <summary>
/// The one place a MongoDB.Driver failure becomes the exception callers act on, with a message an operator can read:
/// it names the operation and the host, says whether the server was unreachable, refused the credentials or dropped
/// the connection, and never repeats the connection string (it may hold a password). Startup checks call
/// <see cref="Translate"/> too, so every path reports a failure the same way.
/// </summary>
public static class MongoErrorTranslator
{
    /// <summary>True for the exceptions <see cref="Translate"/> understands (the driver's, and server selection timeouts).</summary>
    public static bool IsDriverFailure(Exception error) =>
        error is Driver.MongoException or TimeoutException or MongoDB.Bson.BsonException;

    /// <param name="cluster">The client's view of the deployment, used to say why no server could be selected.</param>
    public static MongoException Translate(Exception error, string operation, ClusterDescription? cluster)
    {
        switch (error)
        {
            case MongoException ours:
                return ours;
            case Driver.MongoAuthenticationException auth:
                return Authentication(operation, Host(auth.ConnectionId?.ServerId?.EndPoint), auth);
            case Driver.MongoConnectionException connection:
                return new MongoConnectionException(
                    $"{operation} failed: the connection to MongoDB at {Host(connection.ConnectionId?.ServerId?.EndPoint)} broke: {RootMessage(connection)}",
                    MongoConnectionFailure.ConnectionBroken, connection.ErrorLabels.ToList(), connection);
            case Driver.MongoConnectionPoolPausedException paused:
                // The driver clears a server's pool after a network error until its monitor hears from the server again.
                return new MongoConnectionException(
                    $"{operation} failed: the connection to MongoDB at {Hosts(cluster)} broke and is being re-established: {paused.Message}",
                    MongoConnectionFailure.ConnectionBroken, paused.ErrorLabels.ToList(), paused);
            case TimeoutException timeout when !timeout.Message.Contains("selecting a server", StringComparison.Ordinal):
                // A server was selected, but no pooled connection to it came free in time (or a wait ran out).
                return new MongoConnectionException($"{operation} failed: MongoDB at {Hosts(cluster)} did not answer in time: {timeout.Message}",
                    MongoConnectionFailure.ConnectionBroken, [], timeout);
            case TimeoutException timeout:
                return NoServer(operation, timeout, cluster);
            case Driver.MongoCommandException command:
                var labels = command.ErrorLabels.ToList();
                var message = $"{operation} failed: {command.ErrorMessage} (code {command.Code}{(command.CodeName is { } name ? ", " + name : "")})";
                return MongoException.IsDuplicateKeyCode(command.Code)
                    ? new MongoDuplicateKeyException(message, command.Code, command.CodeName, labels, ReplyBytes(command.Result), command)
                    : new MongoCommandException(message, command.Code, command.CodeName, labels, ReplyBytes(command.Result), command);
            case Driver.MongoServerException server:
                return new MongoCommandException($"{operation} failed: {server.Message}", CodeOf(server), null, server.ErrorLabels.ToList(), [], server);
            case Driver.MongoException driver:
                return new MongoException($"{operation} failed: {driver.Message}", 0, null, driver.ErrorLabels.ToList(), driver);
            default:
                // The driver refused a document before sending it (too large, an invalid name).
                return new MongoCommandException($"{operation} failed: the driver refused the request: {error.Message}", 0, null, [], [], error);
        }
    }

    private static MongoConnectionException Authentication(string operation, string host, Exception error) =>
        new($"{operation} failed: MongoDB at {host} refused the credentials: {RootMessage(error)}",
            MongoConnectionFailure.Authentication, [], error);

    private static MongoConnectionException NoServer(string operation, TimeoutException timeout, ClusterDescription? cluster)
    {
        var servers = cluster?.Servers ?? [];
        foreach (var server in servers)
            if (Find<Driver.MongoAuthenticationException>(server.HeartbeatException) is { } auth)
                return Authentication(operation, Host(server.EndPoint), auth);
        var hosts = Hosts(cluster);
        var reasons = servers.Where(s => s.HeartbeatException is not null)
            .Select(s => $"{Host(s.EndPoint)}: {RootMessage(s.HeartbeatException!)}").ToList();
        var why = reasons.Count > 0 ? string.Join("; ", reasons)
            : servers.Count > 0 ? $"no server of a suitable kind ({string.Join(", ", servers.Select(Describe))})"
            : "no server was found";
        return new MongoConnectionException(
            $"{operation} failed: cannot reach MongoDB at {hosts} within the server selection timeout: {why}",
            MongoConnectionFailure.Unreachable, [], timeout);
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

    private static int CodeOf(Driver.MongoServerException error) => error is Driver.MongoExecutionTimeoutException timeout ? timeout.Code : 0;

    private static byte[] ReplyBytes(MongoDB.Bson.BsonDocument? reply) => reply is null ? [] : RawDocuments.ToBytes(reply);
}
