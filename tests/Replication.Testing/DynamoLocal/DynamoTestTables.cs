using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Replication.Testing.DynamoLocal;

/// <summary>Tables for tests that share one DynamoDB Local: every name is unique, so tests never see each other's data.</summary>
public static class DynamoTestTables
{
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 255)];

    /// <summary>Creates a pay-per-request table with a string hash key (and optional string range key), stream optional.</summary>
    public static async Task<string> CreateAsync(IAmazonDynamoDB client, string prefix, string hashKey = "pk", string? rangeKey = null,
                                                 StreamViewType? streamViewType = null, CancellationToken cancellationToken = default)
    {
        var name = UniqueName(prefix);
        var request = new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition(hashKey, ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement(hashKey, KeyType.HASH)],
        };
        if (rangeKey is not null)
        {
            request.AttributeDefinitions.Add(new AttributeDefinition(rangeKey, ScalarAttributeType.S));
            request.KeySchema.Add(new KeySchemaElement(rangeKey, KeyType.RANGE));
        }
        if (streamViewType is not null)
            request.StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = streamViewType };
        await client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
        return name;
    }
}
