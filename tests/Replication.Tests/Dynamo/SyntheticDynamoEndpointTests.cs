using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Testing.DynamoLocal;
using Replication.Testing.SyntheticDynamo;

namespace Replication.Tests.Dynamo;

/// <summary>The benchmark's synthetic endpoint, read through the product's own clients: every item exactly once, across segments.</summary>
public sealed class SyntheticDynamoEndpointTests
{
    private const int Items = 1_000;

    [Theory]
    [InlineData(3, 70, SyntheticTable.DefaultMaxPageBytes)]
    [InlineData(4, null, 16 * 1024)] // pages cut by size, as DynamoDB cuts them at 1 MB
    [InlineData(1, null, SyntheticTable.DefaultMaxPageBytes)]
    public async Task A_parallel_scan_returns_every_item_once(int segments, int? limit, int maxPageBytes)
    {
        var table = new SyntheticTable("synthetic", Items, payloadBytes: 20, maxPageBytes: maxPageBytes);
        await using var server = await SyntheticDynamoServer.StartAsync(table);
        using var transport = new DynamoHttpTransport(Options(server));
        var scan = new DynamoScanClient(transport);
        var converter = new DynamoItemConverter(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", null));

        var ids = new List<string>();
        var pages = 0;
        for (var segment = 0; segment < segments; segment++)
        {
            string? start = null;
            do
            {
                using var page = await scan.ScanAsync(new ScanSegmentRequest(table.Name)
                {
                    Segment = segment, TotalSegments = segments, Limit = limit, ExclusiveStartKeyJson = start,
                }, converter);
                Assert.Empty(page.Failures);
                var before = ids.Count;
                foreach (var bytes in page.Documents)
                {
                    var document = BsonBytes.ToDocument(bytes.Span);
                    Assert.Equal(17, document.ElementCount); // _id plus the generator's 16 attributes
                    var id = ((BsonString)document["_id"]!).Value;
                    Assert.Equal(segment, int.Parse(id["item-".Length..]) % segments);
                    ids.Add(id);
                }
                Assert.Equal(page.Count, ids.Count - before);
                if (limit is { } max) Assert.True(page.Count <= max);
                pages++;
                start = page.LastEvaluatedKeyJson;
            } while (start is not null);
        }

        Assert.Equal(Items, ids.Count);
        Assert.Equal(Enumerable.Range(0, Items).Select(DynamoItemGenerator.KeyOf), ids.Order(StringComparer.Ordinal));
        if (maxPageBytes < SyntheticTable.DefaultMaxPageBytes) Assert.True(pages > 2 * segments, $"only {pages} pages: the size cut did not apply");
    }

    [Fact]
    public async Task The_sdk_lists_and_describes_the_table_as_the_node_does()
    {
        var table = new SyntheticTable("synthetic", Items);
        await using var server = await SyntheticDynamoServer.StartAsync(table);
        using var client = await DynamoControlClientFactory.CreateAsync(Options(server));
        var catalog = new DynamoTableCatalog(client);

        Assert.Equal(["synthetic"], await catalog.ListTableNamesAsync(pageSize: 1));
        var info = await catalog.DescribeTableAsync("synthetic");
        Assert.Equal("ACTIVE", info.TableStatus);
        Assert.Equal(new TableKeySchema("pk", null), info.KeySchema);
        Assert.Equal(Items, info.ItemCount);
        Assert.False(info.Stream.Enabled);
        await Assert.ThrowsAsync<DynamoTableNotFoundException>(() => catalog.DescribeTableAsync("other"));
    }

    private static DynamoHttpOptions Options(SyntheticDynamoServer server) => new()
    {
        ServiceUrl = server.ServiceUrl,
        Credentials = DynamoCredentialSource.FromKeys("synthetic", "synthetic"),
        MaxAttempts = 1,
    };
}
