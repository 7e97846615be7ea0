using Replication.Testing.Demo;

namespace Replication.Tests.Demo;

public sealed class ReplicationProcessTests
{
    [Fact]
    public async Task Stop_sends_SIGINT_first()
    {
        await using var process = ReplicationProcess.Start("/bin/sleep", ["120"], _ => { });

        var (exitCode, how) = await process.StopAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("stopped by SIGINT", how);
        Assert.Equal(128 + 2, exitCode);
    }

    [Fact]
    public async Task A_process_that_ignores_SIGINT_gets_SIGTERM()
    {
        // An ignored signal stays ignored across exec, so this sleep shrugs off Ctrl-C.
        var trapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var process = ReplicationProcess.Start("/bin/sh", ["-c", "trap '' INT; echo trapped; exec sleep 120"],
                                                           line => { if (line == "trapped") trapped.TrySetResult(); });
        await trapped.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var (exitCode, how) = await process.StopAsync(TimeSpan.FromSeconds(3));

        Assert.Equal("stopped by SIGTERM", how);
        Assert.Equal(128 + 15, exitCode);
    }

    [Fact]
    public void A_missing_executable_is_named()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ReplicationProcess.Start("/nonexistent/replication", [], _ => { }));
        Assert.Contains("/nonexistent/replication", error.Message);
    }
}
