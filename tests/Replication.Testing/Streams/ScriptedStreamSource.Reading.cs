using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Replication.Bson;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;

namespace Replication.Testing.Streams;

public sealed partial class ScriptedStreamSource
{
    private readonly Dictionary<string, IteratorPosition> _iterators = new(StringComparer.Ordinal);
    private long _iteratorsIssued;

    /// <summary>Where an iterator reads from: the first record with a sequence number above <see cref="After"/>.</summary>
    private sealed record IteratorPosition(string ShardId, BigInteger After, DateTimeOffset IssuedAt);

    public Task<StreamDescription> DescribeStreamAsync(string streamArn, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            DescribeStreamCalls++;
            RequireStream(streamArn, "DescribeStream");
            if (_describeStreamFailures > 0)
            {
                _describeStreamFailures--;
                throw new DynamoServerException("DescribeStream", "InternalServerError", HttpStatusCode.InternalServerError, "Internal server error (injected)");
            }
            var shards = _shards.Where(s => !s.AgedOut).Select(s => s.Describe()).ToArray();
            return Task.FromResult(new StreamDescription(StreamArn, TableName, _disabled ? "DISABLED" : "ENABLED", "NEW_AND_OLD_IMAGES", KeySchema, shards));
        }
    }

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            try
            {
                RequireStream(streamArn, "GetShardIterator");
                var after = IteratorStart(shardId, type, sequenceNumber);
                var token = string.Create(CultureInfo.InvariantCulture, $"scripted-iterator:{++_iteratorsIssued}:{Guid.NewGuid():N}");
                _iterators[token] = new IteratorPosition(shardId, after, _clock.GetUtcNow());
                RecordIteratorRequest(shardId, type, sequenceNumber, fault: null);
                return Task.FromResult(token);
            }
            catch (DynamoException e)
            {
                RecordIteratorRequest(shardId, type, sequenceNumber, e.ErrorType);
                return Task.FromException<string>(e);
            }
        }
    }

    public Task<StreamRecordsPage> GetRecordsAsync(string shardIterator, DynamoItemConverter converter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(converter);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_iterators.TryGetValue(shardIterator, out var position))
                return Task.FromException<StreamRecordsPage>(new DynamoValidationException("GetRecords", "ValidationException", HttpStatusCode.BadRequest, $"Invalid ShardIterator: {shardIterator}"));
            if (limit is < 1 or > 1000)
                return Task.FromException<StreamRecordsPage>(new DynamoValidationException("GetRecords", "ValidationException", HttpStatusCode.BadRequest,
                    $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000"));

            var shard = _byId[position.ShardId];
            var fault = InjectedFault(shard.ShardId) ?? Refusal(shard, position);
            if (fault is not null)
            {
                RecordGetRecords(shard.ShardId, [], endOfShard: false, fault.ErrorType);
                return Task.FromException<StreamRecordsPage>(fault);
            }

            var page = shard.Records.Where(r => r.SequenceNumber.Value > position.After).Take(limit).ToArray();
            var readTo = page.Length > 0 ? page[^1].SequenceNumber.Value : position.After;
            var endOfShard = shard.IsClosed && !shard.Records.Any(r => r.SequenceNumber.Value > readTo);
            string? next = null;
            if (!endOfShard)
            {
                next = string.Create(CultureInfo.InvariantCulture, $"scripted-iterator:{++_iteratorsIssued}:{Guid.NewGuid():N}");
                _iterators[next] = new IteratorPosition(shard.ShardId, readTo, _clock.GetUtcNow());
            }
            RecordGetRecords(shard.ShardId, page.Select(r => r.SequenceNumber).ToArray(), endOfShard, fault: null);
            return Task.FromResult(new StreamRecordsPage(page.Select(r => Convert(r, converter)).ToArray(), next));
        }
    }

    public int DescribeStreamCalls { get; private set; }

    private void RequireStream(string streamArn, string operation)
    {
        if (streamArn != StreamArn)
            throw new DynamoResourceNotFoundException(operation, HttpStatusCode.BadRequest, $"Requested resource not found: Stream: {streamArn} not found");
    }

    /// <summary>The position an iterator of <paramref name="type"/> starts after, with DynamoDB's refusals.</summary>
    private BigInteger IteratorStart(string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber)
    {
        if (!_byId.TryGetValue(shardId, out var shard) || shard.AgedOut)
            throw new DynamoResourceNotFoundException("GetShardIterator", HttpStatusCode.BadRequest, $"Requested resource not found: Shard does not exist: {shardId}");
        switch (type)
        {
            case ShardIteratorType.TrimHorizon:
                return shard.TrimmedThrough;
            case ShardIteratorType.Latest:
                return shard.Records.Count > 0 ? BigInteger.Max(shard.Records[^1].SequenceNumber.Value, shard.TrimmedThrough) : shard.TrimmedThrough;
        }
        var sequence = sequenceNumber ?? throw new DynamoValidationException("GetShardIterator", "ValidationException", HttpStatusCode.BadRequest,
            $"SequenceNumber is required for {type}");
        if (sequence < shard.StartingSequenceNumber || (shard.EndingSequenceNumber is { } end && sequence > end))
            throw new DynamoValidationException("GetShardIterator", "ValidationException", HttpStatusCode.BadRequest,
                $"Invalid SequenceNumber {sequence} for shard {shardId}");
        var after = type == ShardIteratorType.AtSequenceNumber ? sequence.Value - 1 : sequence.Value;
        if (after < shard.TrimmedThrough)
            throw new DynamoTrimmedDataAccessException("GetShardIterator", HttpStatusCode.BadRequest,
                $"The operation attempted to read past the oldest stream record in a shard: {type} {sequence} of shard {shardId}");
        return after;
    }

    /// <summary>What DynamoDB answers a GetRecords with when the iterator itself can no longer be used; null when it can.</summary>
    private DynamoException? Refusal(ScriptedShard shard, IteratorPosition position)
    {
        if (_clock.GetUtcNow() - position.IssuedAt > IteratorLifetime)
            return new DynamoExpiredIteratorException("GetRecords", HttpStatusCode.BadRequest, $"Iterator expired. The iterator was created at time {position.IssuedAt:O}");
        if (shard.AgedOut || position.After < shard.TrimmedThrough)
            return new DynamoTrimmedDataAccessException("GetRecords", HttpStatusCode.BadRequest,
                $"The operation attempted to read past the oldest stream record in a shard: shard {shard.ShardId}");
        return null;
    }

    /// <summary>Converts a record's keys and image the way the GetRecords reader does: a part that fails is left empty and the failure kept.</summary>
    private StreamRecord Convert(ScriptedRecord record, DynamoItemConverter converter)
    {
        ItemConversionFailure? failure = null;
        var keys = ToBson(record.KeysJson, converter, keyFilter: true, ref failure);
        var image = record.NewImageJson is null ? ReadOnlyMemory<byte>.Empty : ToBson(record.NewImageJson, converter, keyFilter: false, ref failure);
        var size = Encoding.UTF8.GetByteCount(record.KeysJson) + (record.NewImageJson is null ? 0 : Encoding.UTF8.GetByteCount(record.NewImageJson));
        // DynamoDB rounds the creation time down to the second.
        var created = DateTimeOffset.FromUnixTimeSeconds(record.CreatedAt.ToUnixTimeSeconds());
        return new StreamRecord(record.EventName, record.SequenceNumber, created, size, keys, image) { ConversionFailure = failure };
    }

    private static ReadOnlyMemory<byte> ToBson(string json, DynamoItemConverter converter, bool keyFilter, ref ItemConversionFailure? failure)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), DynamoItemConverter.ReaderOptions);
        reader.Read();
        using var writer = new BsonWriter();
        try
        {
            if (keyFilter) converter.WriteKeyFilter(ref reader, writer);
            else converter.WriteDocument(ref reader, writer);
        }
        catch (ItemConversionException e)
        {
            failure ??= new ItemConversionFailure(json, e);
            return ReadOnlyMemory<byte>.Empty;
        }
        return writer.ToArray();
    }
}
