using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

[Collection(DynamoDbLocalCollection.Name)]
public sealed class ScanTests(DynamoDbLocalFixture fixture) : IDisposable
{
    private readonly IAmazonDynamoDB _client = fixture.Local.CreateClient();
    private readonly DynamoHttpTransport _transport = new(fixture.Local.HttpOptions);

    public void Dispose()
    {
        _client.Dispose();
        _transport.Dispose();
    }

    private static Dictionary<string, AttributeValue> Item(int i) => new()
    {
        ["pk"] = new() { S = $"item-{i:D3}" },
        ["n"] = new() { N = i.ToString() },
        ["name"] = new() { S = $"name {i}" },
        ["flag"] = new() { BOOL = i % 2 == 0 },
        ["tags"] = new() { SS = [$"t{i}", "common"] },
        ["nested"] = new() { M = new() { ["depth"] = new() { N = "1" }, ["list"] = new() { L = [new() { S = "x" }, new() { N = "2" }] } } },
    };

    private async Task<string> CreateTableWithItems(int count)
    {
        var name = await DynamoTestTables.CreateAsync(_client, "scan");
        for (var start = 0; start < count; start += 25)
        {
            var batch = Enumerable.Range(start, Math.Min(25, count - start))
                                  .Select(i => new WriteRequest(new PutRequest(Item(i)))).ToList();
            var response = await _client.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>> { [name] = batch });
            Assert.True(response.UnprocessedItems is null || response.UnprocessedItems.Count == 0);
        }
        return name;
    }

    private static DynamoItemConverter Converter() => new(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", null));

    [Fact]
    public async Task Scan_over_several_segments_and_pages_returns_exactly_what_was_put()
    {
        const int count = 60;
        var table = await CreateTableWithItems(count);
        var scanner = new DynamoScanClient(_transport);
        var seen = new List<BsonDocument>();
        var pages = 0;

        const int segments = 3;
        for (var segment = 0; segment < segments; segment++)
        {
            string? start = null;
            do
            {
                using var page = await scanner.ScanAsync(new ScanSegmentRequest(table)
                {
                    Segment = segment,
                    TotalSegments = segments,
                    Limit = 7,
                    ExclusiveStartKeyJson = start,
                    ConsistentRead = true,
                }, Converter());
                pages++;
                Assert.Equal(page.Count, page.Documents.Count);
                Assert.True(page.ScannedCount >= page.Count);
                Assert.True(page.Count <= 7);
                Assert.True(page.ResponseBytes > 0);
                foreach (var document in page.Documents) seen.Add(BsonBytes.ToDocument(document.ToArray()));
                start = page.LastEvaluatedKeyJson;
                if (start is not null) Assert.Contains("\"pk\"", start);
            } while (start is not null);
        }

        Assert.True(pages >= count / 7, $"expected many pages, got {pages}");
        Assert.Equal(count, seen.Count);
        var byId = seen.ToDictionary(d => ((BsonString)d["_id"]!).Value);
        for (var i = 0; i < count; i++)
        {
            var d = byId[$"item-{i:D3}"];
            BsonAssert.Equal(new BsonString($"item-{i:D3}"), d["pk"]);
            BsonAssert.Equal(new BsonInt32(i), d["n"]);
            BsonAssert.Equal(new BsonString($"name {i}"), d["name"]);
            BsonAssert.Equal(new BsonBoolean(i % 2 == 0), d["flag"]);
            var tags = Assert.IsType<BsonArray>(d["tags"]);
            Assert.Equal(new HashSet<string> { $"t{i}", "common" }, tags.Select(t => ((BsonString)t).Value).ToHashSet());
            var nested = Assert.IsType<BsonDocument>(d["nested"]);
            BsonAssert.Equal(new BsonInt32(1), nested["depth"]);
            var list = Assert.IsType<BsonArray>(nested["list"]);
            BsonAssert.Equal(new BsonValue[] { new BsonString("x"), new BsonInt32(2) }, list);
        }
    }

    [Fact]
    public async Task An_empty_table_gives_one_empty_last_page()
    {
        var table = await DynamoTestTables.CreateAsync(_client, "scan-empty");
        using var page = await new DynamoScanClient(_transport).ScanAsync(new ScanSegmentRequest(table), Converter());
        Assert.Equal(0, page.Count);
        Assert.Empty(page.Documents);
        Assert.True(page.IsLastPage);
    }

    [Fact]
    public async Task Scanning_a_missing_table_is_a_typed_not_found_error()
    {
        var e = await Assert.ThrowsAsync<DynamoResourceNotFoundException>(() =>
            new DynamoScanClient(_transport).ScanAsync(new ScanSegmentRequest(DynamoTestTables.UniqueName("absent")), Converter()));
        Assert.Equal("Scan", e.Operation);
    }
}
