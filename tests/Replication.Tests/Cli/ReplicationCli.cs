using System.Diagnostics;

namespace Replication.Tests.Cli;

/// <summary>
/// Runs the real `replication` executable (replication.dll, copied next to the tests) as a child process,
/// so exit codes and the console output are exactly what a user sees — and no test redirects Console for the others.
/// </summary>
internal static class ReplicationCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> changed: a null value removes that variable.</summary>
    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "replication.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project must reference src/Coordinator (assembly name replication)");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"replication {string.Join(' ', args)} did not exit within 2 minutes");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}
