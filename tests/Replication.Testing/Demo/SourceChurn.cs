using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Replication.Testing.Demo;

/// <summary>What <see cref="SourceChurn"/> wrote to the source tables.</summary>
public sealed record ChurnCounts(int Inserts, int Updates, int Deletes)
{
    public int Total => Inserts + Updates + Deletes;
}

/// <summary>
/// Inserts, updates and deletes on the demo tables at a steady rate while replication runs. Updates touch the lower
/// half of the loaded items and deletes the upper half, so every change is a real change (no delete of a missing key).
/// </summary>
public sealed class SourceChurn(IAmazonDynamoDB client, int loadedItems, int loadedOrders)
{
    private int _inserts;
    private int _updates;
    private int _deletes;
    private int _step;

    public ChurnCounts Counts => new(Volatile.Read(ref _inserts), Volatile.Read(ref _updates), Volatile.Read(ref _deletes));

    /// <summary>Writes <paramref name="perSecond"/> changes a second until <paramref name="keepGoing"/> says stop.</summary>
    public async Task RunAsync(int perSecond, Func<bool> keepGoing, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        while (keepGoing() && await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            await WriteOneAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One change, cycling through the kinds so every kind happens on both tables.</summary>
    public async Task WriteOneAsync(CancellationToken cancellationToken)
    {
        var n = _step++;
        var ordinal = n / 6;
        switch (n % 6)
        {
            case 0: // a new item of every type
                await client.PutItemAsync(DemoTables.Items, DemoTables.ItemGenerator.Item(loadedItems + ordinal), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _inserts);
                break;
            case 1: // change two attributes and add one
                await client.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = DemoTables.Items,
                    Key = DemoTables.ItemKey(ordinal * 7 % Math.Max(1, loadedItems / 2)),
                    UpdateExpression = "SET #text = :text, #map.#n = :n, #changed = :now",
                    ExpressionAttributeNames = new() { ["#text"] = "text", ["#map"] = "map", ["#n"] = "n", ["#changed"] = "changedAt" },
                    ExpressionAttributeValues = new()
                    {
                        [":text"] = new() { S = $"updated by the demo ({ordinal})" },
                        [":n"] = new() { N = (-ordinal).ToString(CultureInfo.InvariantCulture) },
                        [":now"] = new() { S = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
                    },
                }, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _updates);
                break;
            case 2:
                await client.DeleteItemAsync(DemoTables.Items, DemoTables.ItemKey(loadedItems - 1 - ordinal), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _deletes);
                break;
            case 3:
                await client.PutItemAsync(DemoTables.Orders, DemoTables.Order(loadedOrders + ordinal, revision: 0), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _inserts);
                break;
            case 4: // a whole-item replace: the next revision of an existing order
                await client.PutItemAsync(DemoTables.Orders, DemoTables.Order(ordinal % Math.Max(1, loadedOrders / 2), revision: 1 + ordinal), cancellationToken)
                            .ConfigureAwait(false);
                Interlocked.Increment(ref _updates);
                break;
            default:
                await client.DeleteItemAsync(DemoTables.Orders, DemoTables.OrderKey(loadedOrders - 1 - ordinal), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _deletes);
                break;
        }
    }
}
