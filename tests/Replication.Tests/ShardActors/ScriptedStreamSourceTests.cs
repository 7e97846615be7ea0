using MongoDB.Bson;
using Replication.Testing;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;
using Replication.Testing.Streams;

namespace Replication.Tests.ShardActors;

/// <summary>The scripted stream is only as good as its likeness to DynamoDB Streams; these pin the behaviour the actor tests rely on.</summary>
public sealed class ScriptedStreamSourceTests
{
    private static readonly TableKeySchema Key = new("id", null);
    private static readonly DynamoItemConverter Converter = new(ConvertMode.Typed, IdentityMode.Id, Key);

    private readonly ManualClock _clock = new();
    private readonly ScriptedStreamSource _stream;

    public ScriptedStreamSourceTests() => _stream = new ScriptedStreamSource("Orders", Key, _clock);

    private Task<string> Iterator(string shard, ShardIteratorType type, SequenceNumber? at = null) =>
        _stream.GetShardIteratorAsync(_stream.StreamArn, shard, type, at, CancellationToken.None);

    private Task<StreamRecordsPage> Read(string iterator, int limit = 100) => _stream.GetRecordsAsync(iterator, Converter, limit, CancellationToken.None);

    private SequenceNumber Put(string shard, string id, int v) =>
        _stream.Insert(shard, $$$"""{"id":{"S":"{{{id}}}"}}""", $$$"""{"id":{"S":"{{{id}}}"},"v":{"N":"{{{v}}}"}}""");

    [Fact]
    public async Task Records_are_converted_by_the_readers_converter_and_sequence_numbers_grow_as_numbers()
    {
        var shard = _stream.OpenShard();
        var sequences = Enumerable.Range(0, 12).Select(i => Put(shard, "k" + i, i)).ToArray();
        _stream.Remove(shard, """{"id":{"S":"k0"}}""");

        using var page = await Read(await Iterator(shard, ShardIteratorType.TrimHorizon));

        Assert.Equal(13, page.Records.Count);
        Assert.Contains(sequences, s => s.ToString().Length == 20);
        Assert.Contains(sequences, s => s.ToString().Length == 21);
        Assert.Equal(sequences, sequences.Order());
        Assert.Equal(sequences, page.Records.Take(12).Select(r => r.SequenceNumber));
        var first = BsonBytes.ToDocument(page.Records[1].NewImage.Span);
        BsonAssert.Equal(new BsonString("k1"), first["_id"]);
        BsonAssert.Equal(new BsonInt32(1), first["v"]);
        BsonAssert.Equal(new BsonDocument { { "_id", "k1" } }, BsonBytes.ToDocument(page.Records[1].KeyFilter.Span));
        Assert.Equal(StreamEventName.Remove, page.Records[12].EventName);
        Assert.False(page.Records[12].HasNewImage);
        Assert.NotNull(page.NextShardIterator);
    }

    [Fact]
    public async Task Iterators_of_every_type_start_where_DynamoDB_documents()
    {
        var shard = _stream.OpenShard();
        var s1 = Put(shard, "a", 1);
        var s2 = Put(shard, "b", 1);
        var latest = await Iterator(shard, ShardIteratorType.Latest);
        var s3 = Put(shard, "c", 1);

        async Task<SequenceNumber[]> ReadAll(string iterator)
        {
            using var page = await Read(iterator);
            return page.Records.Select(r => r.SequenceNumber).ToArray();
        }

        Assert.Equal([s1, s2, s3], await ReadAll(await Iterator(shard, ShardIteratorType.TrimHorizon)));
        Assert.Equal([s3], await ReadAll(latest));
        Assert.Equal([s2, s3], await ReadAll(await Iterator(shard, ShardIteratorType.AtSequenceNumber, s2)));
        Assert.Equal([s3], await ReadAll(await Iterator(shard, ShardIteratorType.AfterSequenceNumber, s2)));
        Assert.Empty(await ReadAll(await Iterator(shard, ShardIteratorType.AfterSequenceNumber, s3)));
        await Assert.ThrowsAsync<DynamoValidationException>(() => Read("not-an-iterator"));
    }

    [Fact]
    public async Task A_closed_shard_ends_with_no_next_iterator_and_an_open_one_never_does()
    {
        var parent = _stream.OpenShard();
        Put(parent, "a", 1);
        Put(parent, "b", 1);
        Put(parent, "c", 1);
        using (var open = await Read(await Iterator(parent, ShardIteratorType.TrimHorizon)))
            Assert.NotNull(open.NextShardIterator);

        var children = _stream.Split(parent);
        using var firstTwo = await Read(await Iterator(parent, ShardIteratorType.TrimHorizon), limit: 2);
        Assert.Equal(2, firstTwo.Records.Count);
        Assert.NotNull(firstTwo.NextShardIterator);
        using var rest = await Read(firstTwo.NextShardIterator!, limit: 2);
        Assert.Single(rest.Records);
        Assert.Null(rest.NextShardIterator);

        var description = await _stream.DescribeStreamAsync(_stream.StreamArn, CancellationToken.None);
        var closed = description.Shards.Single(s => s.ShardId == parent);
        Assert.True(closed.IsClosed);
        Assert.All(children, child =>
        {
            var shard = description.Shards.Single(s => s.ShardId == child);
            Assert.Equal(parent, shard.ParentShardId);
            Assert.False(shard.IsClosed);
            Assert.True(shard.StartingSequenceNumber > closed.EndingSequenceNumber!.Value);
        });
        Assert.Throws<InvalidOperationException>(() => Put(parent, "d", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _stream.Split(children[0], children: 3));
    }

    [Fact]
    public async Task Trimmed_and_aged_out_data_is_refused_as_DynamoDB_refuses_it()
    {
        var shard = _stream.OpenShard();
        var s1 = Put(shard, "a", 1);
        var s2 = Put(shard, "b", 1);
        var s3 = Put(shard, "c", 1);
        var held = await Iterator(shard, ShardIteratorType.TrimHorizon);
        _stream.TrimThrough(shard, s2);

        await Assert.ThrowsAsync<DynamoTrimmedDataAccessException>(() => Read(held));
        await Assert.ThrowsAsync<DynamoTrimmedDataAccessException>(() => Iterator(shard, ShardIteratorType.AtSequenceNumber, s1));
        using (var fromHorizon = await Read(await Iterator(shard, ShardIteratorType.TrimHorizon)))
            Assert.Equal([s3], fromHorizon.Records.Select(r => r.SequenceNumber));
        using (var afterTrim = await Read(await Iterator(shard, ShardIteratorType.AfterSequenceNumber, s2)))
            Assert.Equal([s3], afterTrim.Records.Select(r => r.SequenceNumber));

        _stream.Close(shard);
        var child = _stream.AddChildShard(shard);
        _stream.AgeOut(shard);
        var description = await _stream.DescribeStreamAsync(_stream.StreamArn, CancellationToken.None);
        Assert.Equal([child], description.Shards.Select(s => s.ShardId));
        await Assert.ThrowsAsync<DynamoResourceNotFoundException>(() => Iterator(shard, ShardIteratorType.TrimHorizon));
    }

    [Fact]
    public async Task Iterators_expire_after_fifteen_minutes_and_injected_faults_hit_the_next_call_only()
    {
        var shard = _stream.OpenShard();
        Put(shard, "a", 1);
        var iterator = await Iterator(shard, ShardIteratorType.TrimHorizon);
        _clock.Advance(TimeSpan.FromMinutes(16));
        await Assert.ThrowsAsync<DynamoExpiredIteratorException>(() => Read(iterator));

        iterator = await Iterator(shard, ShardIteratorType.TrimHorizon);
        _stream.ExpireIteratorOnNextCall(shard);
        _stream.TrimmedDataOnNextCall(shard);
        await Assert.ThrowsAsync<DynamoExpiredIteratorException>(() => Read(iterator));
        await Assert.ThrowsAsync<DynamoTrimmedDataAccessException>(() => Read(iterator));
        using var page = await Read(iterator);
        Assert.Single(page.Records);

        var calls = _stream.CallsOf(shard);
        Assert.Equal(["ExpiredIteratorException", "ExpiredIteratorException", "TrimmedDataAccessException", null], calls.Select(c => c.Fault));
        Assert.Equal(calls.Select(c => c.Order).Order(), calls.Select(c => c.Order));
    }

}
