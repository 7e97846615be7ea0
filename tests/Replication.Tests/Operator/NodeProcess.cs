using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Replication.Tests.Operator;

/// <summary>
/// A real `replication run` (replication.dll, next to the tests) as a child process: every output line kept, lines
/// awaited by content, and stopped by a signal as an operator or a supervisor would.
/// </summary>
internal sealed partial class NodeProcess : IAsyncDisposable
{
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private NodeProcess(Process process) => _process = process;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static NodeProcess Start(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "replication.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        var node = new NodeProcess(Process.Start(start)!);
        DataReceivedEventHandler forward = (_, e) => { if (e.Data is { } line) node.Add(line); };
        node._process.OutputDataReceived += forward;
        node._process.ErrorDataReceived += forward;
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    private void Add(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var (match, seen) in _waiters)
                if (match(line)) seen.TrySetResult(line);
        }
    }

    /// <summary>The first line (already printed or still to come) for which <paramref name="match"/> holds.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split('\n'))
                if (match(line.TrimEnd('\r'))) return line;
            _waiters.Add((match, seen));
        }
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (first == seen.Task) return await seen.Task;
        throw new TimeoutException($"no such line within {timeout.TotalSeconds:0} s (exited: {_process.HasExited}); output:\n{Output}");
    }

    public void Signal(int signal) => Kill(_process.Id, signal);

    /// <summary>True when the process exited within <paramref name="patience"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        using var wait = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            _process.WaitForExit(); // flushes the redirected output
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
