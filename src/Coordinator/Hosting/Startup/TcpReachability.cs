using System.Net.Sockets;

namespace Replication.Coordinator.Hosting.Startup;

/// <summary>
/// Tells apart why a host:port cannot be reached — no such name, connection refused (nothing listens), or no answer at
/// all (a firewall drops the packets) — with one TCP connect, independent of any driver.
/// </summary>
internal static class TcpReachability
{
    /// <summary>Null when a TCP connection opens; otherwise why not, in a few words.</summary>
    public static async Task<string?> ProbeAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer from {host}:{port} within {timeout.TotalSeconds:0.#} s (is a firewall dropping the packets?)";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return $"connection refused by {host}:{port} (nothing listens there)";
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return $"cannot resolve the host name '{host}'";
        }
        catch (SocketException e)
        {
            return $"cannot connect to {host}:{port}: {e.Message}";
        }
    }

    /// <summary>Splits "host:port", "[::1]:port" or "host" (with <paramref name="defaultPort"/>).</summary>
    public static (string Host, int Port) Split(string hostAndPort, int defaultPort)
    {
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']');
            var host = hostAndPort[1..close];
            return (host, close + 2 < hostAndPort.Length && int.TryParse(hostAndPort[(close + 2)..], out var p) ? p : defaultPort);
        }
        var colon = hostAndPort.LastIndexOf(':');
        return colon > 0 && int.TryParse(hostAndPort[(colon + 1)..], out var port) ? (hostAndPort[..colon], port) : (hostAndPort, defaultPort);
    }
}
