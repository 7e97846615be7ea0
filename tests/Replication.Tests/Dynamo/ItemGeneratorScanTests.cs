using Amazon.DynamoDBv2;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

/// <summary>Every DynamoDB type, written by the generator and read back through our Scan, in each convert mode.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class ItemGeneratorScanTests(DynamoDbLocalFixture fixture) : IDisposable
{
    private readonly IAmazonDynamoDB _client = fixture.Local.CreateClient();
    private readonly DynamoHttpTransport _transport = new(fixture.Local.HttpOptions);

    public void Dispose()
    {
        _client.Dispose();
        _transport.Dispose();
    }

    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public async Task Generated_items_of_every_type_scan_back_complete(ConvertMode mode)
    {
        const int count = 40;
        var table = await DynamoTestTables.CreateAsync(_client, "generated");
        var generator = new DynamoItemGenerator();
        await generator.PutItemsAsync(_client, table, count);

        var converter = new DynamoItemConverter(mode, IdentityMode.Id, new TableKeySchema("pk", null));
        var ids = new List<string>();
        string? start = null;
        do
        {
            using var page = await new DynamoScanClient(_transport).ScanAsync(new ScanSegmentRequest(table) { Limit = 15, ExclusiveStartKeyJson = start }, converter);
            Assert.Empty(page.Failures);
            foreach (var bytes in page.Documents)
            {
                var document = BsonBytes.ToDocument(bytes.Span);
                Assert.Equal(17, document.ElementCount); // _id plus the generator's 16 attributes
                ids.Add(((BsonString)document["_id"]!).Value);
                if (mode == ConvertMode.Typed)
                {
                    Assert.IsType<BsonDecimal128>(document["big"]);
                    BsonAssert.Equal(new BsonString("12345678901234567890123456789012345678"), document["huge"]); // beyond Decimal128
                    Assert.IsType<BsonBinaryData>(document["bin"]);
                    Assert.Equal(BsonNull.Value, document["nothing"]);
                    Assert.Equal(3, Assert.IsType<BsonArray>(document["ss"]).Count);
                }
            }
            start = page.LastEvaluatedKeyJson;
        } while (start is not null);

        Assert.Equal(Enumerable.Range(0, count).Select(DynamoItemGenerator.KeyOf).Order(), ids.Order());
    }
}
