namespace Replication.Dynamo.Control;

/// <summary>The service's ResourceNotFoundException does not always say which table; this one does.</summary>
public sealed class DynamoTableNotFoundException(string tableName, Exception inner)
    : Exception($"DynamoDB table '{tableName}' does not exist (or is not visible to these credentials and region): {inner.Message}", inner)
{
    public string TableName { get; } = tableName;
}
