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
public sealed class StreamsTests(DynamoDbLocalFixture fixture) : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(60);
    private readonly IAmazonDynamoDB _client = fixture.Local.CreateClient();
    private readonly DynamoHttpTransport _transport = new(fixture.Local.HttpOptions);
    private DynamoStreamsClient Streams => new(_transport);

    public void Dispose()
    {
        _client.Dispose();
        _transport.Dispose();
    }

    private static DynamoItemConverter Converter() => new(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", "sk"));

    private sealed record Decoded(StreamEventName EventName, SequenceNumber Sequence, DateTimeOffset? Created, long Size, BsonDocument Key, BsonDocument? NewImage);

    private async Task<(string Table, string StreamArn)> CreateStreamedTable()
    {
        var table = await DynamoTestTables.CreateAsync(_client, "streams", "pk", "sk", StreamViewType.NEW_AND_OLD_IMAGES);
        var streams = await Streams.ListStreamsAsync(table);
        return (table, Assert.Single(streams).StreamArn);
    }

    private async Task WriteInsertModifyRemove(string table, string pk)
    {
        var key = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = pk }, ["sk"] = new() { S = "r1" } };
        await _client.PutItemAsync(table, new(key) { ["v"] = new() { N = "1" }, ["s"] = new() { S = "first" } });
        await _client.PutItemAsync(table, new(key) { ["v"] = new() { N = "2" }, ["s"] = new() { S = "second" } });
        await _client.DeleteItemAsync(table, key);
    }

    /// <summary>Reads from <paramref name="iterator"/> until <paramref name="want"/> records arrived (polling: an open shard answers empty pages).</summary>
    private async Task<List<Decoded>> Read(string iterator, int want)
    {
        var records = new List<Decoded>();
        var deadline = DateTime.UtcNow + PollTimeout;
        string? next = iterator;
        while (records.Count < want && next is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {records.Count} of {want} stream records arrived within {PollTimeout.TotalSeconds} s");
            using var page = await Streams.GetRecordsAsync(next, Converter(), limit: 100);
            foreach (var r in page.Records)
                records.Add(new Decoded(r.EventName, r.SequenceNumber, r.ApproximateCreationDateTime, r.SizeBytes,
                                        BsonBytes.ToDocument(r.KeyFilter.Span), r.HasNewImage ? BsonBytes.ToDocument(r.NewImage.Span) : null));
            next = page.NextShardIterator;
            if (page.Records.Count == 0) await Task.Delay(100);
        }
        return records;
    }

    private async Task<ShardDescription> OnlyOpenShard(string streamArn)
    {
        var description = await Streams.DescribeStreamAsync(streamArn);
        return Assert.Single(description.Shards, s => !s.IsClosed);
    }

    [Fact]
    public async Task Lists_and_describes_the_stream_of_a_table()
    {
        var (table, arn) = await CreateStreamedTable();

        var all = await Streams.ListStreamsAsync(pageSize: 1);
        Assert.Contains(all, s => s.StreamArn == arn && s.TableName == table);
        var mine = Assert.Single(await Streams.ListStreamsAsync(table));
        Assert.Equal(table, mine.TableName);
        Assert.False(string.IsNullOrEmpty(mine.StreamLabel));

        var description = await Streams.DescribeStreamAsync(arn, pageSize: 1);
        Assert.Equal(arn, description.StreamArn);
        Assert.Equal(table, description.TableName);
        Assert.Equal("ENABLED", description.StreamStatus);
        Assert.Equal("NEW_AND_OLD_IMAGES", description.StreamViewType);
        Assert.Equal(new TableKeySchema("pk", "sk"), description.KeySchema);
        var shard = Assert.Single(description.Shards);
        Assert.False(string.IsNullOrEmpty(shard.ShardId));
        Assert.False(shard.StartingSequenceNumber.IsEmpty);
        Assert.False(shard.IsClosed);
    }

    [Fact]
    public async Task Insert_modify_and_remove_are_decoded_with_keys_images_and_ordered_sequence_numbers()
    {
        var (table, arn) = await CreateStreamedTable();
        await WriteInsertModifyRemove(table, "k1");
        var shard = await OnlyOpenShard(arn);

        var records = await Read(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon), 3);

        Assert.Equal([StreamEventName.Insert, StreamEventName.Modify, StreamEventName.Remove], records.Select(r => r.EventName));
        var expectedKey = new BsonDocument { { "_id", new BsonDocument { { "pk", "k1" }, { "sk", "r1" } } } };
        Assert.All(records, r => Assert.Equal(expectedKey, r.Key));
        BsonAssert.Equal(new BsonString("first"), records[0].NewImage!["s"]);
        BsonAssert.Equal(new BsonInt32(1), records[0].NewImage!["v"]);
        BsonAssert.Equal(new BsonString("second"), records[1].NewImage!["s"]);
        BsonAssert.Equal(new BsonDocument { { "pk", "k1" }, { "sk", "r1" } }, records[1].NewImage!["_id"]);
        Assert.Null(records[2].NewImage);
        Assert.True(records[0].Sequence < records[1].Sequence && records[1].Sequence < records[2].Sequence);
        Assert.True(records[0].Sequence >= shard.StartingSequenceNumber);
        Assert.All(records, r => Assert.True(r.Size > 0));
        Assert.All(records, r => Assert.NotNull(r.Created));
    }

    [Fact]
    public async Task At_and_after_a_sequence_number_start_at_the_right_record()
    {
        var (table, arn) = await CreateStreamedTable();
        await WriteInsertModifyRemove(table, "k2");
        var shard = await OnlyOpenShard(arn);
        var all = await Read(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon), 3);
        var second = all[1].Sequence;

        var at = await Read(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.AtSequenceNumber, second), 1);
        Assert.Equal(second, at[0].Sequence);
        Assert.Equal(StreamEventName.Modify, at[0].EventName);

        var after = await Read(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.AfterSequenceNumber, second), 1);
        Assert.Equal(all[2].Sequence, after[0].Sequence);
        Assert.Equal(StreamEventName.Remove, after[0].EventName);

        // The sequence number travels back as the service's own text, so a parsed value round-trips.
        var reparsed = SequenceNumber.Parse(second.ToString());
        var atAgain = await Read(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.AtSequenceNumber, reparsed), 1);
        Assert.Equal(second, atAgain[0].Sequence);
    }

    [Fact]
    public async Task Latest_sees_only_later_writes()
    {
        var (table, arn) = await CreateStreamedTable();
        await WriteInsertModifyRemove(table, "before");
        var shard = await OnlyOpenShard(arn);
        var latest = await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.Latest);

        await _client.PutItemAsync(table, new() { ["pk"] = new() { S = "after" }, ["sk"] = new() { S = "r1" }, ["v"] = new() { N = "7" } });
        var records = await Read(latest, 1);

        var record = Assert.Single(records);
        Assert.Equal(StreamEventName.Insert, record.EventName);
        BsonAssert.Equal(new BsonDocument { { "_id", new BsonDocument { { "pk", "after" }, { "sk", "r1" } } } }, record.Key);
        BsonAssert.Equal(new BsonInt32(7), record.NewImage!["v"]);
    }

    [Fact]
    public async Task An_iterator_type_that_needs_a_sequence_number_refuses_to_go_without_one()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Streams.GetShardIteratorAsync("arn", "shardId-1", ShardIteratorType.AfterSequenceNumber));
        Assert.Contains("shardId-1", e.Message);
    }

    [Fact]
    public async Task A_bad_iterator_is_a_validation_error_that_is_not_retried()
    {
        var e = await Assert.ThrowsAsync<DynamoValidationException>(() => Streams.GetRecordsAsync("not-an-iterator", Converter()));
        Assert.False(e.IsRetryable);
        Assert.Equal("GetRecords", e.Operation);
    }
    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public async Task A_scanned_item_and_its_stream_image_give_the_same_document_with_sets_in_value_order(ConvertMode mode)
    {
        var (table, arn) = await CreateStreamedTable();
        await _client.PutItemAsync(table, new()
        {
            ["pk"] = new() { S = "sets" },
            ["sk"] = new() { S = "r1" },
            ["ns"] = new() { NS = ["18", "-31", "7", "1.0000000000000000000000000000000000002", "1.0000000000000000000000000000000000001", "12345678901234567890123456789012345678", "-1E-130"] },
            ["bs"] = new() { BS = [new MemoryStream([0xFF]), new MemoryStream([0x00, 0x00]), new MemoryStream([0x01]), new MemoryStream([0x00])] },
            ["ss"] = new() { SS = ["\U0001F600", "\uFFFD", "z", "\u00E9", "Z"] },
        });
        var converter = new DynamoItemConverter(mode, IdentityMode.Id, new TableKeySchema("pk", "sk"));

        using var scanned = await new DynamoScanClient(_transport).ScanAsync(new ScanSegmentRequest(table) { ConsistentRead = true }, converter);
        var fromScan = BsonBytes.ToDocument(Assert.Single(scanned.Documents).ToArray());
        var shard = await OnlyOpenShard(arn);
        using var page = await Streams.GetRecordsAsync(await Streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon), converter, limit: 100);
        var fromStream = BsonBytes.ToDocument(Assert.Single(page.Records).NewImage.Span);

        // Top-level attributes come in a different order from Scan and from Streams (DynamoDB's own); every value must match.
        Assert.Equal(fromScan.Elements.ToDictionary(e => e.Name, e => BsonBytes.ExactText(e.Value)), fromStream.Elements.ToDictionary(e => e.Name, e => BsonBytes.ExactText(e.Value)));
        var ns = SetElements(fromScan["ns"]!, mode);
        string[] ascending = ["-31", "-1E-130", "1.0000000000000000000000000000000000001", "1.0000000000000000000000000000000000002", "7", "18", "12345678901234567890123456789012345678"];
        if (mode == ConvertMode.Raw) // DynamoDB gives the numbers back in its own notation ("-0.000…1"): compare values
            Assert.Equal(ascending.Select(ExactValue), ns.Select(n => ExactValue(((BsonString)n).Value)));
        else
            Assert.Equal(ascending.Select(n => ConversionHarness.Number(n, mode)), ns);
        byte[][] bytes = [[0x00], [0x00, 0x00], [0x01], [0xFF]];
        BsonAssert.Equal(bytes.Select(b => (BsonValue)new BsonBinaryData(b)), SetElements(fromScan["bs"]!, mode));
        BsonAssert.Equal(new BsonValue[] { "Z", "z", "\u00E9", "\uFFFD", "\U0001F600" }, SetElements(fromScan["ss"]!, mode));
    }

    // The number × 10^200, exact for DynamoDB's whole range.
    private static System.Numerics.BigInteger ExactValue(string number)
    {
        var parts = number.ToUpperInvariant().Split('E');
        var exponent = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var point = parts[0].IndexOf('.');
        var digits = parts[0].Replace(".", "");
        if (point >= 0) exponent -= parts[0].Length - point - 1;
        return System.Numerics.BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * System.Numerics.BigInteger.Pow(10, 200 + exponent);
    }

    private static IEnumerable<BsonValue> SetElements(BsonValue set, ConvertMode mode) =>
        mode == ConvertMode.Raw ? ((BsonArray)((BsonDocument)set).GetElement(0).Value) : ((BsonArray)set);
}
