using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

[Collection(DynamoDbLocalCollection.Name)]
public sealed class TableCatalogTests(DynamoDbLocalFixture fixture) : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(60);
    private readonly IAmazonDynamoDB _client = fixture.Local.CreateClient();
    private readonly DynamoHttpTransport _transport = new(fixture.Local.HttpOptions);

    public void Dispose()
    {
        _client.Dispose();
        _transport.Dispose();
    }

    [Fact]
    public async Task Lists_every_table_across_pages()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++) created.Add(await DynamoTestTables.CreateAsync(_client, "list"));

        var names = await new DynamoTableCatalog(_client).ListTableNamesAsync(pageSize: 2);

        Assert.Superset(created.ToHashSet(), names.ToHashSet());
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task Describes_keys_indexes_stream_and_item_count()
    {
        var name = DynamoTestTables.UniqueName("describe");
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.N), new("g", ScalarAttributeType.S), new("l", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
            GlobalSecondaryIndexes = [new() { IndexName = "by-g", KeySchema = [new("g", KeyType.HASH)], Projection = new() { ProjectionType = ProjectionType.ALL } }],
            LocalSecondaryIndexes = [new() { IndexName = "by-l", KeySchema = [new("pk", KeyType.HASH), new("l", KeyType.RANGE)], Projection = new() { ProjectionType = ProjectionType.KEYS_ONLY } }],
            StreamSpecification = new() { StreamEnabled = true, StreamViewType = StreamViewType.NEW_IMAGE },
        });
        await _client.PutItemAsync(name, new() { ["pk"] = new() { S = "a" }, ["sk"] = new() { N = "1" } });

        var table = await new DynamoTableCatalog(_client).DescribeTableAsync(name);

        Assert.Equal(name, table.TableName);
        Assert.Equal("ACTIVE", table.TableStatus);
        Assert.Equal(new("pk", "sk"), table.KeySchema);
        Assert.Equal([new DynamoIndexInfo("by-g", new("g", null))], table.GlobalSecondaryIndexes);
        Assert.Equal([new DynamoIndexInfo("by-l", new("pk", "l"))], table.LocalSecondaryIndexes);
        Assert.True(table.Stream.Enabled);
        Assert.Equal("NEW_IMAGE", table.Stream.ViewType);
        Assert.True(table.Stream.HasNewImages);
        Assert.NotNull(table.Stream.LatestStreamArn);
        Assert.True(table.ItemCount >= 0);
    }

    [Fact]
    public async Task Enables_a_new_and_old_images_stream_and_waits_until_it_is_enabled()
    {
        var name = await DynamoTestTables.CreateAsync(_client, "enable");
        var streams = new DynamoStreamsClient(_transport);
        var catalog = new DynamoTableCatalog(_client, streams);
        Assert.False((await catalog.DescribeTableAsync(name)).Stream.Enabled);

        var table = await catalog.EnsureStreamAsync(name, StreamTimeout);

        Assert.True(table.Stream.Enabled);
        Assert.Equal("NEW_AND_OLD_IMAGES", table.Stream.ViewType);
        var description = await streams.DescribeStreamAsync(table.Stream.LatestStreamArn!);
        Assert.Equal("ENABLED", description.StreamStatus);
        Assert.Equal("NEW_AND_OLD_IMAGES", description.StreamViewType);

        // A second call finds the stream in place and leaves it alone.
        var again = await catalog.EnsureStreamAsync(name, StreamTimeout);
        Assert.Equal(table.Stream.LatestStreamArn, again.Stream.LatestStreamArn);
    }

    [Theory]
    [InlineData("KEYS_ONLY")]
    [InlineData("OLD_IMAGE")]
    public async Task A_stream_without_new_images_is_an_error_that_says_what_to_do(string viewType)
    {
        var name = await DynamoTestTables.CreateAsync(_client, "keysonly", streamViewType: StreamViewType.FindValue(viewType));

        var e = await Assert.ThrowsAsync<StreamViewTypeException>(() => new DynamoTableCatalog(_client).EnsureStreamAsync(name, StreamTimeout));

        Assert.Equal(name, e.TableName);
        Assert.Equal(viewType, e.ViewType);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(viewType, e.Message);
        Assert.Contains("StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES", e.Message);
        Assert.Contains("replication.filter", e.Message);
    }

    [Fact]
    public async Task Describing_a_missing_table_names_it()
    {
        var missing = DynamoTestTables.UniqueName("missing");
        var e = await Assert.ThrowsAsync<DynamoTableNotFoundException>(() => new DynamoTableCatalog(_client).DescribeTableAsync(missing));
        Assert.Equal(missing, e.TableName);
        Assert.Contains($"'{missing}'", e.Message);
        Assert.IsType<ResourceNotFoundException>(e.InnerException);
    }
}
