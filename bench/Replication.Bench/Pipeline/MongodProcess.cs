using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Replication.Bench.Pipeline;

/// <summary>
/// The in-memory MongoDB test server (`Replication.Testing mongod`) in its own process, so the benchmark process's
/// memory is the replication node's own and the server's CPU shows up apart from it.
/// </summary>
public sealed class MongodProcess : IAsyncDisposable
{
    private readonly Process _process;

    private MongodProcess(Process process, string connectionString)
    {
        _process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }
    public int ProcessId => _process.Id;

    public static async Task<MongodProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Replication.Testing.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the in-memory MongoDB server is missing ({dll}); build bench/Replication.Bench", dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "mongod", "--port", FreePort().ToString() }) start.ArgumentList.Add(arg);
        // Server GC would let a test double grow without bound on a 2-core machine; workstation GC keeps it honest.
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the in-memory MongoDB server");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("mongodb://", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new MongodProcess(process, line);
                }
            }
            var error = await process.StandardError.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            throw new InvalidOperationException($"the in-memory MongoDB server exited before listening: {error}");
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }
}
