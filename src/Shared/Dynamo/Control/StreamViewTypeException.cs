namespace Replication.Dynamo.Control;

/// <summary>The table's stream exists but does not carry new images, so changes cannot be replayed from it.</summary>
public sealed class StreamViewTypeException(string tableName, string viewType)
    : Exception($"table '{tableName}' has a DynamoDB stream with view type {viewType}, which carries no new item images, " +
                $"so replication cannot apply its changes. A table's stream view type cannot be changed in place: disable the stream and " +
                $"enable it again with NEW_AND_OLD_IMAGES (aws dynamodb update-table --table-name {tableName} --stream-specification StreamEnabled=false, " +
                $"then --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES), or exclude the table from replication.filter. " +
                $"Note that consumers of the current stream lose their position when it is disabled.")
{
    public string TableName { get; } = tableName;
    public string ViewType { get; } = viewType;
}
