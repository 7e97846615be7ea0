using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Replication.Testing.DynamoLocal;

/// <summary>
/// Deterministic items that use every DynamoDB type (S, N of several shapes, B, BOOL, NULL, M, L, SS, NS, BS), keyed
/// by a string hash key, for tests and benchmarks; and a parallel BatchWriteItem loader.
/// </summary>
public sealed class DynamoItemGenerator(string hashKey = "pk", int seed = 42)
{
    public string HashKey { get; } = hashKey;

    public static string KeyOf(int index) => $"item-{index:D8}";

    /// <summary>The same index and seed always give the same item; <paramref name="payloadBytes"/> pads a string attribute.</summary>
    public Dictionary<string, AttributeValue> Item(int index, int payloadBytes = 64)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var item = new Dictionary<string, AttributeValue>
        {
            [HashKey] = new() { S = KeyOf(index) },
            ["int"] = new() { N = random.Next(-1_000_000, 1_000_000).ToString(CultureInfo.InvariantCulture) },
            ["long"] = new() { N = (random.NextInt64(long.MinValue / 2, long.MaxValue / 2)).ToString(CultureInfo.InvariantCulture) },
            ["decimal"] = new() { N = (random.Next(0, 1_000_000) / 1000m).ToString(CultureInfo.InvariantCulture) + "1" },
            ["big"] = new() { N = "123456789012345678901234567890" },
            ["huge"] = new() { N = "12345678901234567890123456789012345678" },
            ["text"] = new() { S = new string((char)('a' + index % 26), Math.Max(1, payloadBytes)) },
            ["unicode"] = new() { S = "ünïcødé ✓ " + index },
            ["bin"] = new() { B = new MemoryStream(BitConverter.GetBytes(index)) },
            ["flag"] = new() { BOOL = index % 2 == 0 },
            ["nothing"] = new() { NULL = true },
            ["map"] = new()
            {
                M = new()
                {
                    ["n"] = new() { N = index.ToString(CultureInfo.InvariantCulture) },
                    ["inner"] = new() { M = new() { ["s"] = new() { S = "deep" } } },
                },
            },
            ["list"] = new() { L = [new() { S = "x" }, new() { N = "1.5" }, new() { BOOL = false }, new() { L = [new() { NULL = true }] }] },
            ["ss"] = new() { SS = ["a", "b", "c" + index % 7] },
            ["ns"] = new() { NS = ["1", "2.5", (index % 100 + 3).ToString(CultureInfo.InvariantCulture)] },
            ["bs"] = new() { BS = [new MemoryStream([1, 2]), new MemoryStream([3, (byte)index])] },
        };
        return item;
    }

    /// <summary>Writes items [<paramref name="first"/>, first+count) with up to <paramref name="parallelism"/> BatchWriteItem calls in flight.</summary>
    public async Task PutItemsAsync(IAmazonDynamoDB client, string tableName, int count, int first = 0, int parallelism = 4,
                                    int payloadBytes = 64, CancellationToken cancellationToken = default)
    {
        var batches = Enumerable.Range(first, count).Chunk(25);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var pending = new Dictionary<string, List<WriteRequest>>
                {
                    [tableName] = batch.Select(i => new WriteRequest(new PutRequest(Item(i, payloadBytes)))).ToList(),
                };
                var delay = TimeSpan.FromMilliseconds(50);
                for (var attempt = 1; pending.Count > 0; attempt++)
                {
                    if (attempt > 20) throw new InvalidOperationException($"BatchWriteItem to '{tableName}' left items unprocessed after 20 attempts");
                    var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct).ConfigureAwait(false);
                    pending = response.UnprocessedItems ?? [];
                    if (pending.Count == 0) break;
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
                }
            }).ConfigureAwait(false);
    }
}
