using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Replication.Testing.Demo;

/// <summary>
/// The product itself, `replication run`, as a child process whose output lines are handed to a callback. Stopped the
/// way an operator stops it: SIGINT (Ctrl-C), then SIGTERM, and only as a last resort a kill — or, by the kill tests,
/// killed outright with SIGKILL.
/// </summary>
public sealed partial class ReplicationProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int SigStop = 19; // Linux numbering (x86-64 and arm64)
    private const int SigCont = 18;

    private readonly Process _process;

    private ReplicationProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public Task Exited => _process.WaitForExitAsync();
    public int ExitCode => _process.ExitCode;

    public static ReplicationProcess Start(string executable, IReadOnlyList<string> arguments, Action<string> onLine)
    {
        if (!File.Exists(executable))
            throw new FileNotFoundException($"the replication executable {executable} does not exist; build it first (./build.sh build)", executable);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        DataReceivedEventHandler forward = (_, e) => { if (e.Data is { Length: > 0 } line) onLine(line); };
        process.OutputDataReceived += forward;
        process.ErrorDataReceived += forward;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ReplicationProcess(process);
    }

    /// <summary>Ctrl-C semantics: SIGINT and a wait; SIGTERM and a wait; then a kill. Returns the exit code and how it stopped.</summary>
    public async Task<(int ExitCode, string How)> StopAsync(TimeSpan patience)
    {
        foreach (var (signal, name) in new[] { (SigInt, "SIGINT"), (SigTerm, "SIGTERM") })
        {
            if (_process.HasExited) return (_process.ExitCode, "had already exited");
            if (Kill(_process.Id, signal) != 0) continue;
            if (await ExitsWithinAsync(patience).ConfigureAwait(false)) return (_process.ExitCode, $"stopped by {name}");
        }
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return (_process.ExitCode, $"killed: it ignored SIGINT and SIGTERM for {patience.TotalSeconds:0} s each");
    }

    /// <summary>
    /// SIGKILL: the process ends at once, wherever it is — nothing drained, nothing handed back, no last checkpoint — as
    /// a crash, an OOM kill or a pulled plug would end it. Returns the exit code (128 + 9 when the signal killed it).
    /// </summary>
    public async Task<int> KillAsync()
    {
        if (Kill(_process.Id, SigKill) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"SIGKILL to process {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>SIGSTOP: the process freezes wherever it is — as in a long GC pause or a frozen VM — until <see cref="Resume"/>.</summary>
    public void Pause() => Signal(SigStop, "SIGSTOP");

    /// <summary>SIGCONT: a paused process carries on from where it froze, its timers all overdue.</summary>
    public void Resume() => Signal(SigCont, "SIGCONT");

    private void Signal(int signal, string name)
    {
        if (Kill(_process.Id, signal) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"{name} to process {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan patience)
    {
        using var wait = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>An unfinished demo (failure, Ctrl-C) still stops the child the polite way first, so it never outlives the demo.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) Kill(_process.Id, SigCont); // a paused process could not answer the stop below
            if (!_process.HasExited) await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
