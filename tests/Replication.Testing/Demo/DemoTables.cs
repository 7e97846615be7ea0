using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Replication.Testing.DynamoLocal;

namespace Replication.Testing.Demo;

/// <summary>
/// The demo's two source tables: <c>demo-items</c> (string hash key, items of every DynamoDB type from
/// <see cref="DynamoItemGenerator"/>) and <c>demo-orders</c> (composite key: customer + order).
/// Created without a stream: enabling it is the replication's job.
/// </summary>
public static class DemoTables
{
    public const string Items = "demo-items";
    public const string Orders = "demo-orders";
    public const string ItemsKey = "pk";
    public const string OrdersHashKey = "customer";
    public const string OrdersRangeKey = "order";
    public const int Customers = 17;

    public static IReadOnlyList<string> All { get; } = [Items, Orders];

    public static DynamoItemGenerator ItemGenerator { get; } = new(ItemsKey, seed: 2026);

    public static async Task CreateAsync(IAmazonDynamoDB client, int items, int orders, CancellationToken cancellationToken)
    {
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = Items,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition(ItemsKey, ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement(ItemsKey, KeyType.HASH)],
        }, cancellationToken).ConfigureAwait(false);
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = Orders,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition(OrdersHashKey, ScalarAttributeType.S), new AttributeDefinition(OrdersRangeKey, ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement(OrdersHashKey, KeyType.HASH), new KeySchemaElement(OrdersRangeKey, KeyType.RANGE)],
        }, cancellationToken).ConfigureAwait(false);

        await ItemGenerator.PutItemsAsync(client, Items, items, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(Enumerable.Range(0, orders).Chunk(25), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                foreach (var i in batch) await client.PutItemAsync(Orders, Order(i, revision: 0), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    public static Dictionary<string, AttributeValue> ItemKey(int index) => new() { [ItemsKey] = new() { S = DynamoItemGenerator.KeyOf(index) } };

    public static Dictionary<string, AttributeValue> OrderKey(int index) => new()
    {
        [OrdersHashKey] = new() { S = $"customer-{index % Customers:D2}" },
        [OrdersRangeKey] = new() { S = $"order-{index:D6}" },
    };

    /// <summary>An order; each revision changes its status, total and line items.</summary>
    public static Dictionary<string, AttributeValue> Order(int index, int revision)
    {
        var order = OrderKey(index);
        order["status"] = new() { S = (revision % 3) switch { 0 => "placed", 1 => "packed", _ => "shipped" } };
        order["total"] = new() { N = ((index * 37 % 10_000) / 100m + revision).ToString(CultureInfo.InvariantCulture) };
        order["lines"] = new()
        {
            L = Enumerable.Range(0, 1 + index % 3).Select(line => new AttributeValue
            {
                M = new()
                {
                    ["sku"] = new() { S = $"sku-{(index + line) % 50:D3}" },
                    ["qty"] = new() { N = (1 + line + revision).ToString(CultureInfo.InvariantCulture) },
                },
            }).ToList(),
        };
        order["tags"] = new() { SS = revision == 0 ? ["new"] : ["new", $"rev{revision}"] };
        return order;
    }
}
