using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

/// <summary>DynamoDB allows 32 levels of nesting; inside a Scan page or a stream record that is far deeper JSON.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class DeepNestingTests(DynamoDbLocalFixture fixture) : IDisposable
{
    private readonly IAmazonDynamoDB _client = fixture.Local.CreateClient();
    private readonly DynamoHttpTransport _transport = new(fixture.Local.HttpOptions);

    public void Dispose()
    {
        _client.Dispose();
        _transport.Dispose();
    }

    private static AttributeValue Nested(int levels) =>
        levels == 0 ? new AttributeValue { S = "bottom" } : new AttributeValue { M = new() { ["m"] = Nested(levels - 1) } };

    private static int DepthOf(BsonDocument doc) => doc["m"] is BsonDocument inner ? 1 + DepthOf(inner) : 0;

    [Fact]
    public async Task An_item_nested_as_deep_as_dynamodb_allows_comes_through_scan_and_stream()
    {
        var table = await DynamoTestTables.CreateAsync(_client, "deep", streamViewType: StreamViewType.NEW_AND_OLD_IMAGES);
        await _client.PutItemAsync(table, new() { ["pk"] = new() { S = "deep" }, ["m"] = Nested(31) });
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", null));

        using var page = await new DynamoScanClient(_transport).ScanAsync(new ScanSegmentRequest(table), converter);
        Assert.Empty(page.Failures);
        Assert.Equal(31, DepthOf(BsonBytes.ToDocument(page.Documents[0].Span)));

        var streams = new DynamoStreamsClient(_transport);
        var arn = (await _client.DescribeTableAsync(table)).Table.LatestStreamArn;
        var shard = (await streams.DescribeStreamAsync(arn)).Shards[0];
        var iterator = await streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon);
        using var records = await streams.GetRecordsAsync(iterator, converter);
        var record = Assert.Single(records.Records);
        Assert.Null(record.ConversionFailure);
        Assert.Equal(31, DepthOf(BsonBytes.ToDocument(record.NewImage.Span)));
    }
}
