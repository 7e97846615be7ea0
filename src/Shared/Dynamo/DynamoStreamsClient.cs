using System.Text.Json;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;

namespace Replication.Dynamo;

/// <summary>
/// DynamoDB Streams over the JSON protocol (the v4 SDK's Streams client is a separate package not available here).
/// Listing and describing are parsed with JsonDocument (small, infrequent); GetRecords streams each record's keys
/// and new image straight into BSON.
/// </summary>
public sealed class DynamoStreamsClient(DynamoHttpTransport transport)
{
    private const string Prefix = "DynamoDBStreams_20120810.";

    private Uri Endpoint => transport.Endpoints.Streams;

    /// <summary>Every stream (all pages), optionally only those of one table.</summary>
    public async Task<IReadOnlyList<StreamSummary>> ListStreamsAsync(string? tableName = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var streams = new List<StreamSummary>();
        string? startArn = null;
        do
        {
            using var body = await transport.SendAsync(Endpoint, Prefix + "ListStreams", json =>
            {
                if (tableName is not null) json.WriteString("TableName", tableName);
                if (pageSize is { } limit) json.WriteNumber("Limit", limit);
                if (startArn is not null) json.WriteString("ExclusiveStartStreamArn", startArn);
            }, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body.Memory);
            var root = doc.RootElement;
            if (root.TryGetProperty("Streams", out var list))
                foreach (var s in list.EnumerateArray())
                    streams.Add(new StreamSummary(s.GetProperty("StreamArn").GetString()!, s.GetProperty("TableName").GetString()!,
                                                  s.TryGetProperty("StreamLabel", out var label) ? label.GetString()! : ""));
            startArn = root.TryGetProperty("LastEvaluatedStreamArn", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null;
        } while (startArn is not null);
        return streams;
    }

    /// <summary>The stream with all of its shards (pages through ExclusiveStartShardId).</summary>
    public async Task<StreamDescription> DescribeStreamAsync(string streamArn, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamArn);
        var shards = new List<ShardDescription>();
        string? startShard = null;
        StreamDescription? description;
        do
        {
            using var body = await transport.SendAsync(Endpoint, Prefix + "DescribeStream", json =>
            {
                json.WriteString("StreamArn", streamArn);
                if (pageSize is { } limit) json.WriteNumber("Limit", limit);
                if (startShard is not null) json.WriteString("ExclusiveStartShardId", startShard);
            }, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body.Memory);
            var d = doc.RootElement.GetProperty("StreamDescription");
            if (d.TryGetProperty("Shards", out var list))
                foreach (var s in list.EnumerateArray()) shards.Add(ReadShard(s));
            description = new StreamDescription(
                d.GetProperty("StreamArn").GetString()!,
                d.TryGetProperty("TableName", out var table) ? table.GetString()! : "",
                d.GetProperty("StreamStatus").GetString()!,
                d.TryGetProperty("StreamViewType", out var view) ? view.GetString()! : "",
                ReadKeySchema(d, streamArn),
                shards);
            startShard = d.TryGetProperty("LastEvaluatedShardId", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null;
        } while (startShard is not null);
        return description;
    }

    /// <summary>A shard iterator; <paramref name="sequenceNumber"/> is required for the AT/AFTER types. Valid for 15 minutes.</summary>
    public async Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber = null, CancellationToken cancellationToken = default)
    {
        var needsSequence = type is ShardIteratorType.AtSequenceNumber or ShardIteratorType.AfterSequenceNumber;
        if (needsSequence && sequenceNumber is null)
            throw new ArgumentException($"iterator type {type} needs a sequence number (shard {shardId})", nameof(sequenceNumber));
        using var body = await transport.SendAsync(Endpoint, Prefix + "GetShardIterator", json =>
        {
            json.WriteString("StreamArn", streamArn);
            json.WriteString("ShardId", shardId);
            json.WriteString("ShardIteratorType", type switch
            {
                ShardIteratorType.TrimHorizon => "TRIM_HORIZON",
                ShardIteratorType.Latest => "LATEST",
                ShardIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
                _ => "AFTER_SEQUENCE_NUMBER",
            });
            if (needsSequence) json.WriteString("SequenceNumber", sequenceNumber!.Value.ToString());
        }, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(body.Memory);
        return doc.RootElement.GetProperty("ShardIterator").GetString()
               ?? throw new JsonException($"GetShardIterator for shard {shardId} returned no iterator");
    }

    /// <summary>Up to <paramref name="limit"/> records (the service caps at 1000 or 1 MB) converted with <paramref name="converter"/>.</summary>
    public async Task<StreamRecordsPage> GetRecordsAsync(string shardIterator, DynamoItemConverter converter, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardIterator);
        using var body = await transport.SendAsync(Endpoint, Prefix + "GetRecords", json =>
        {
            json.WriteString("ShardIterator", shardIterator);
            if (limit is { } n) json.WriteNumber("Limit", n);
        }, cancellationToken).ConfigureAwait(false);
        return StreamRecordsReader.Read(body.Span, converter);
    }

    private static ShardDescription ReadShard(JsonElement s)
    {
        var range = s.GetProperty("SequenceNumberRange");
        SequenceNumber? end = range.TryGetProperty("EndingSequenceNumber", out var e) && e.ValueKind == JsonValueKind.String
            ? SequenceNumber.Parse(e.GetString()!) : null;
        return new ShardDescription(
            s.GetProperty("ShardId").GetString()!,
            s.TryGetProperty("ParentShardId", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
            range.TryGetProperty("StartingSequenceNumber", out var st) && st.ValueKind == JsonValueKind.String ? SequenceNumber.Parse(st.GetString()!) : default,
            end);
    }

    private static TableKeySchema ReadKeySchema(JsonElement description, string streamArn)
    {
        string? hash = null, range = null;
        if (description.TryGetProperty("KeySchema", out var schema))
            foreach (var k in schema.EnumerateArray())
            {
                var name = k.GetProperty("AttributeName").GetString();
                if (k.GetProperty("KeyType").GetString() == "HASH") hash = name; else range = name;
            }
        return new TableKeySchema(hash ?? throw new JsonException($"DescribeStream for {streamArn} returned no HASH key"), range);
    }
}
