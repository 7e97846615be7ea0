using System.Diagnostics;
using Replication.Testing;

namespace Replication.Bench.Pipeline;

/// <summary>
/// A verb of the test-support program (`Replication.Testing VERB …`) in its own process, so the benchmark process's
/// memory is the replication node's own and the helper's CPU shows up apart from it. Ready once it prints its address.
/// </summary>
public sealed class TestingProcess : IAsyncDisposable
{
    private readonly Process _process;

    private TestingProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The first line of its output that starts with the expected prefix: a connection string or URL.</summary>
    public string Address { get; }
    public int ProcessId => _process.Id;

    public static async Task<TestingProcess> StartAsync(string what, string addressPrefix, IEnumerable<string> args, CancellationToken cancellationToken = default)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Replication.Testing.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{what} is missing ({dll}); build bench/Replication.Bench", dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Server GC would let a test double grow without bound on a 2-core machine; workstation GC keeps it honest.
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet did not start {what}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith(addressPrefix, StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new TestingProcess(process, line);
                }
            }
            var error = await process.StandardError.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            throw new InvalidOperationException($"{what} exited before listening: {error}");
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => ChildProcesses.KillAndDisposeAsync(_process);
}
