using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

/// <summary>One DynamoDB Local process per collection; tests in it use unique table names.</summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    private DynamoDbLocal? _local;

    public DynamoDbLocal Local => _local ?? throw new InvalidOperationException("DynamoDB Local has not started");

    public async Task InitializeAsync() => _local = await DynamoDbLocal.StartAsync();

    public async Task DisposeAsync()
    {
        if (_local is not null) await _local.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DynamoDbLocalCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "DynamoDB Local";
}
