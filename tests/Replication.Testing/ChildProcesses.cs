using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Replication.Testing;

/// <summary>What every helper process (DynamoDB Local, the in-memory mongod, the synthetic DynamoDB endpoint) needs: a free port, and a sure end.</summary>
public static class ChildProcesses
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the process and its children, waits (bounded) until they are gone, and disposes it.</summary>
    public static async ValueTask KillAndDisposeAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }
}
