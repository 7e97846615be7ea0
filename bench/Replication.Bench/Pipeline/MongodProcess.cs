using Replication.Testing;

namespace Replication.Bench.Pipeline;

/// <summary>The in-memory MongoDB test server (`Replication.Testing mongod`) in its own process.</summary>
public sealed class MongodProcess : IAsyncDisposable
{
    private readonly TestingProcess _process;

    private MongodProcess(TestingProcess process) => _process = process;

    public string ConnectionString => _process.Address;
    public int ProcessId => _process.ProcessId;

    public static async Task<MongodProcess> StartAsync(CancellationToken cancellationToken = default) =>
        new(await TestingProcess.StartAsync("the in-memory MongoDB server", "mongodb://",
            ["mongod", "--port", ChildProcesses.FreePort().ToString()], cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
