using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Replication.Testing.DynamoLocal;

namespace Replication.Bench.Pipeline;

/// <summary>
/// PutItem at a fixed rate for a fixed time: write i is issued at start + i/rate (never earlier), several in flight so
/// one slow answer does not hold the schedule back. Each acknowledgement is stamped with the benchmark's clock.
/// </summary>
public sealed class SteadyWriteLoad(IAmazonDynamoDB client, string table, DynamoItemGenerator generator, int firstIndex, int payloadBytes)
{
    private const int InFlight = 32;

    public ConcurrentDictionary<string, long> Acknowledged { get; } = new();
    public int Late { get; private set; }

    public async Task<TimeSpan> RunAsync(int rate, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        using var slots = new SemaphoreSlim(InFlight);
        var writes = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (clock.Elapsed - due > TimeSpan.FromMilliseconds(100)) Late++;
            var index = firstIndex + i;
            writes.Add(WriteAsync(index, slots, cancellationToken));
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private async Task WriteAsync(int index, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            await client.PutItemAsync(new PutItemRequest(table, generator.Item(index, payloadBytes)), cancellationToken).ConfigureAwait(false);
            Acknowledged[DynamoItemGenerator.KeyOf(index)] = Stopwatch.GetTimestamp();
        }
        finally
        {
            slots.Release();
        }
    }
}
