using Replication.Tests.Dynamo;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// End-to-end tests get a DynamoDB Local of their own: it slows down as stream records pile up, so they should not
/// share one with the many small client tests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "Replication end to end";
}
