using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.ShardActors.Streams;

namespace Replication.Testing.Streams;

/// <summary>
/// An in-memory DynamoDB stream whose shard tree a test drives: records are appended to chosen shards, shards close,
/// split into one or two children, are trimmed or age out, exactly when the test says. DynamoDB Local keeps one shard
/// per stream and never splits it, so this is where shard-tree ordering is proven. It answers as DynamoDB Streams
/// documents: opaque iterators of every type that expire after 15 minutes, a null next iterator once a closed shard
/// is fully read, TrimmedDataAccessException for a position before the trim point, sequence numbers that grow across
/// the stream and compare as numbers. Every GetRecords and GetShardIterator call is recorded.
/// </summary>
public sealed partial class ScriptedStreamSource : IStreamSource
{
    /// <summary>
    /// The first sequence number handed out. Twenty nines and a zero: the tenth record crosses from 20 to 21 digits,
    /// where a comparison of sequence numbers as text instead of as numbers goes wrong.
    /// </summary>
    public static readonly SequenceNumber DefaultFirstSequenceNumber = SequenceNumber.Parse("99999999999999999990");

    private static readonly TimeSpan IteratorLifetime = TimeSpan.FromMinutes(15);

    private readonly object _gate = new();
    private readonly List<ScriptedShard> _shards = [];
    private readonly Dictionary<string, ScriptedShard> _byId = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private BigInteger _nextSequence;
    private int _shardsCreated;
    private bool _disabled;
    private int _describeStreamFailures;

    public ScriptedStreamSource(string tableName, TableKeySchema keySchema, TimeProvider? clock = null, SequenceNumber? firstSequenceNumber = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentNullException.ThrowIfNull(keySchema);
        TableName = tableName;
        KeySchema = keySchema;
        _clock = clock ?? TimeProvider.System;
        _nextSequence = (firstSequenceNumber ?? DefaultFirstSequenceNumber).Value;
        StreamArn = $"arn:aws:dynamodb:us-east-1:000000000000:table/{tableName}/stream/2026-01-01T00:00:00.000";
    }

    public string TableName { get; }
    public TableKeySchema KeySchema { get; }
    public string StreamArn { get; }

    /// <summary>Opens a shard with no parent (a stream's first shard, or one whose parent is not tracked).</summary>
    public string OpenShard(string? shardId = null, string? parentShardId = null)
    {
        lock (_gate)
        {
            if (parentShardId is not null && _byId.TryGetValue(parentShardId, out var parent) && !parent.IsClosed)
                throw new InvalidOperationException($"shard {parentShardId} is still open: DynamoDB creates a child shard only when its parent closes (use Split)");
            return AddShard(shardId, parentShardId);
        }
    }

    /// <summary>Adds a child to a closed shard (DynamoDB may list a closed shard's children some time after it closed).</summary>
    public string AddChildShard(string parentShardId, string? shardId = null)
    {
        lock (_gate)
        {
            var parent = Shard(parentShardId);
            if (!parent.IsClosed)
                throw new InvalidOperationException($"shard {parentShardId} is still open: DynamoDB creates a child shard only when its parent closes (use Split)");
            if (_shards.Count(s => s.ParentShardId == parentShardId) >= 2)
                throw new InvalidOperationException($"shard {parentShardId} already has two children; a DynamoDB shard splits into one or two");
            return AddShard(shardId, parentShardId);
        }
    }

    /// <summary>Closes the shard and opens its one or two children; returns the children's ids.</summary>
    public IReadOnlyList<string> Split(string shardId, int children = 2)
    {
        if (children is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(children), children, "a DynamoDB shard splits into one or two children");
        lock (_gate)
        {
            var shard = Shard(shardId);
            if (shard.IsClosed) throw new InvalidOperationException($"shard {shardId} is already closed");
            shard.Close();
            var ids = new string[children];
            for (var i = 0; i < children; i++) ids[i] = AddShard(null, shardId);
            return ids;
        }
    }

    /// <summary>Closes the shard with no children (yet): no record is written to it any more.</summary>
    public void Close(string shardId)
    {
        lock (_gate)
        {
            var shard = Shard(shardId);
            if (shard.IsClosed) throw new InvalidOperationException($"shard {shardId} is already closed");
            shard.Close();
        }
    }

    /// <summary>The stream is turned off (as UpdateTable with StreamEnabled = false does): every open shard closes and DescribeStream says DISABLED.</summary>
    public void Disable()
    {
        lock (_gate)
        {
            foreach (var shard in _shards.Where(s => !s.IsClosed)) shard.Close();
            _disabled = true;
        }
    }

    /// <summary>The next <paramref name="count"/> DescribeStream calls fail with a server error, as ones that outlived the client's retries would.</summary>
    public void FailNextDescribeStreamCalls(int count)
    {
        lock (_gate) _describeStreamFailures = count;
    }

    /// <summary>Trims the shard's records up to and including <paramref name="sequenceNumber"/>, as the 24-hour retention does.</summary>
    public void TrimThrough(string shardId, SequenceNumber sequenceNumber)
    {
        lock (_gate) Shard(shardId).TrimThrough(sequenceNumber);
    }

    /// <summary>The shard aged out of the stream: DescribeStream no longer lists it and its records are gone.</summary>
    public void AgeOut(string shardId)
    {
        lock (_gate) Shard(shardId).AgeOut();
    }

    public SequenceNumber Insert(string shardId, string keysJson, string newImageJson) => Append(shardId, StreamEventName.Insert, keysJson, newImageJson);

    public SequenceNumber Modify(string shardId, string keysJson, string newImageJson) => Append(shardId, StreamEventName.Modify, keysJson, newImageJson);

    /// <summary>A REMOVE record carries the keys only: a NEW_AND_OLD_IMAGES stream has no new image for a deletion.</summary>
    public SequenceNumber Remove(string shardId, string keysJson) => Append(shardId, StreamEventName.Remove, keysJson, null);

    public SequenceNumber Append(string shardId, StreamEventName eventName, string keysJson, string? newImageJson)
    {
        RequireJsonObject(keysJson, nameof(keysJson));
        if (eventName == StreamEventName.Remove)
        {
            if (newImageJson is not null) throw new ArgumentException("a REMOVE record has no new image", nameof(newImageJson));
        }
        else
        {
            RequireJsonObject(newImageJson ?? throw new ArgumentNullException(nameof(newImageJson), $"an {eventName} record needs a new image"), nameof(newImageJson));
        }
        lock (_gate)
        {
            var shard = Shard(shardId);
            if (shard.IsClosed) throw new InvalidOperationException($"shard {shardId} is closed: DynamoDB writes no record to a closed shard");
            var sequence = NextSequenceNumber();
            shard.Records.Add(new ScriptedRecord(eventName, sequence, _clock.GetUtcNow(), keysJson, newImageJson));
            return sequence;
        }
    }

    /// <summary>The shard as DescribeStream would show it (also for a shard that aged out).</summary>
    public ShardDescription Describe(string shardId)
    {
        lock (_gate) return Shard(shardId).Describe();
    }

    /// <summary>The sequence numbers of the shard's records that are still in the stream, oldest first.</summary>
    public IReadOnlyList<SequenceNumber> SequenceNumbersOf(string shardId)
    {
        lock (_gate) return Shard(shardId).Records.Select(r => r.SequenceNumber).ToArray();
    }

    private string AddShard(string? shardId, string? parentShardId)
    {
        _shardsCreated++;
        shardId ??= string.Create(CultureInfo.InvariantCulture, $"shardId-{_shardsCreated:D20}-{(uint)HashCode.Combine(TableName, _shardsCreated):x8}");
        if (_byId.ContainsKey(shardId)) throw new InvalidOperationException($"shard {shardId} already exists");
        var shard = new ScriptedShard(shardId, parentShardId, NextSequenceNumber());
        _shards.Add(shard);
        _byId.Add(shardId, shard);
        return shardId;
    }

    private SequenceNumber NextSequenceNumber()
    {
        var value = _nextSequence++;
        return SequenceNumber.Parse(value.ToString(CultureInfo.InvariantCulture));
    }

    private ScriptedShard Shard(string shardId) =>
        _byId.TryGetValue(shardId, out var shard) ? shard : throw new ArgumentException($"the scripted stream of '{TableName}' has no shard {shardId}", nameof(shardId));

    private static void RequireJsonObject(string json, string parameter)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException($"expected a DynamoDB JSON object, got {doc.RootElement.ValueKind}: {json}", parameter);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"not valid JSON: {json} ({e.Message})", parameter, e);
        }
    }
}
