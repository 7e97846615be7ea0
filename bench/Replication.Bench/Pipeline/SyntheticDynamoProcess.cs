using System.Globalization;

namespace Replication.Bench.Pipeline;

/// <summary>
/// The synthetic DynamoDB endpoint (`Replication.Testing synthetic-dynamo`) in its own process: one table of generated
/// items that exist only virtually, served by ListTables, DescribeTable and parallel Scan. Its memory is not the node's.
/// </summary>
public sealed class SyntheticDynamoProcess : IAsyncDisposable
{
    public const string Table = "bench";

    private readonly TestingProcess _process;

    private SyntheticDynamoProcess(TestingProcess process)
    {
        _process = process;
        ServiceUrl = new Uri(process.Address);
    }

    public Uri ServiceUrl { get; }
    public int ProcessId => _process.ProcessId;

    public static async Task<SyntheticDynamoProcess> StartAsync(int items, int payloadBytes, CancellationToken cancellationToken = default) =>
        new(await TestingProcess.StartAsync("the synthetic DynamoDB endpoint", "http://",
            ["synthetic-dynamo", "--items", items.ToString(CultureInfo.InvariantCulture), "--payload", payloadBytes.ToString(CultureInfo.InvariantCulture),
             "--table", Table, "--port", "0"], cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
