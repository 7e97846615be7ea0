using Replication.Dynamo.Conversion;

namespace Replication.Dynamo.Control;

public sealed record DynamoIndexInfo(string IndexName, TableKeySchema KeySchema);

/// <summary>The table's stream settings; <see cref="ViewType"/> is KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.</summary>
public sealed record DynamoStreamSettings(bool Enabled, string? ViewType, string? LatestStreamArn)
{
    public bool HasNewImages => ViewType is "NEW_IMAGE" or "NEW_AND_OLD_IMAGES";
}

/// <summary>What DescribeTable says about a table that replication needs.</summary>
public sealed record DynamoTableInfo(
    string TableName,
    string TableArn,
    string TableStatus,
    TableKeySchema KeySchema,
    IReadOnlyList<DynamoIndexInfo> GlobalSecondaryIndexes,
    IReadOnlyList<DynamoIndexInfo> LocalSecondaryIndexes,
    DynamoStreamSettings Stream,
    long ItemCount);
