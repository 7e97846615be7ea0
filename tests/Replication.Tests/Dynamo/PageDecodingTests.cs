using System.Net;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;

namespace Replication.Tests.Dynamo;

/// <summary>Responses decoded from canned JSON: what the client does with shapes DynamoDB Local does not produce on demand.</summary>
public class PageDecodingTests
{
    private static readonly DynamoItemConverter Converter = new(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", null));

    private static DynamoHttpTransport Transport(CannedHttpHandler handler) => new(new DynamoHttpOptions
    {
        Credentials = DynamoCredentialSource.FromKeys("AKIDEXAMPLE", "secret"),
        MaxAttempts = 1,
    }, handler);

    [Fact]
    public async Task An_item_that_cannot_be_converted_is_reported_with_its_json_and_the_page_goes_on()
    {
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, """
            {"Count":3,"ScannedCount":5,
             "Items":[{"pk":{"S":"a"},"v":{"N":"1"}},{"other":{"S":"no key here"}},{"pk":{"S":"c"},"v":{"N":"3"}}],
             "LastEvaluatedKey":{"pk":{"S":"c"}},"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5}}
            """);
        using var transport = Transport(handler);

        using var page = await new DynamoScanClient(transport).ScanAsync(new ScanSegmentRequest("t") { Limit = 3 }, Converter);

        Assert.Equal(3, page.Count);
        Assert.Equal(5, page.ScannedCount);
        Assert.Equal(["a", "c"], page.Documents.Select(d => ((BsonString)BsonBytes.ToDocument(d.Span)["_id"]!).Value));
        BsonAssert.Equal(new BsonInt32(3), BsonBytes.ToDocument(page.Documents[1].Span)["v"]);
        var failure = Assert.Single(page.Failures);
        Assert.Equal("""{"other":{"S":"no key here"}}""", failure.ItemJson);
        Assert.Contains("pk", failure.Error.Message);
        Assert.Equal("""{"pk":{"S":"c"}}""", page.LastEvaluatedKeyJson);
        Assert.Equal(page.Documents[0].Length + page.Documents[1].Length, page.BsonBytes);
    }

    [Fact]
    public async Task The_exclusive_start_key_goes_back_verbatim_with_the_segment_options()
    {
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, """{"Count":0,"ScannedCount":0,"Items":[]}""");
        using var transport = Transport(handler);

        using var page = await new DynamoScanClient(transport).ScanAsync(new ScanSegmentRequest("orders")
        {
            Segment = 2, TotalSegments = 4, Limit = 50, ConsistentRead = true, ExclusiveStartKeyJson = """{"pk":{"S":"c"},"n":{"N":"12345678901234567890123"}}""",
        }, Converter);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal("DynamoDB_20120810.Scan", request.Headers.GetValues("X-Amz-Target").Single());
        Assert.Equal("""{"TableName":"orders","Segment":2,"TotalSegments":4,"Limit":50,"ConsistentRead":true,"ExclusiveStartKey":{"pk":{"S":"c"},"n":{"N":"12345678901234567890123"}}}""",
                     System.Text.Encoding.UTF8.GetString(body));
        Assert.True(page.IsLastPage);
    }

    [Fact]
    public async Task Stream_records_decode_in_any_field_order_and_a_closed_shard_has_no_next_iterator()
    {
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, """
            {"Records":[
              {"dynamodb":{"SequenceNumber":"000000000000000000010","SizeBytes":30,"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"v":{"N":"abc"}},
                           "ApproximateCreationDateTime":1700000000.5,"StreamViewType":"NEW_AND_OLD_IMAGES"},
               "eventName":"MODIFY","eventID":"1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","eventVersion":"1.1"},
              {"eventName":"REMOVE","dynamodb":{"Keys":{"pk":{"S":"b"}},"OldImage":{"pk":{"S":"b"}},"SequenceNumber":"9","SizeBytes":12}}
            ]}
            """);
        using var transport = Transport(handler);

        using var page = await new DynamoStreamsClient(transport).GetRecordsAsync("iterator", Converter, limit: 10);

        Assert.True(page.ShardClosed);
        Assert.Null(page.NextShardIterator);
        Assert.Equal(2, page.Records.Count);
        var modify = page.Records[0];
        Assert.Equal(StreamEventName.Modify, modify.EventName);
        Assert.Equal("000000000000000000010", modify.SequenceNumber.ToString());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), modify.ApproximateCreationDateTime);
        Assert.Equal(30, modify.SizeBytes);
        BsonAssert.Equal(new BsonDocument { { "_id", "a" } }, BsonBytes.ToDocument(modify.KeyFilter.Span));
        Assert.False(modify.HasNewImage);
        Assert.NotNull(modify.ConversionFailure);
        Assert.Contains("abc", modify.ConversionFailure!.ItemJson);

        var remove = page.Records[1];
        Assert.Equal(StreamEventName.Remove, remove.EventName);
        Assert.Null(remove.ConversionFailure);
        Assert.False(remove.HasNewImage);
        BsonAssert.Equal(new BsonDocument { { "_id", "b" } }, BsonBytes.ToDocument(remove.KeyFilter.Span));
        Assert.True(remove.SequenceNumber < modify.SequenceNumber);
    }
}
