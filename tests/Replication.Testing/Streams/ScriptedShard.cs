using System.Numerics;
using Replication.Dynamo;

namespace Replication.Testing.Streams;

/// <summary>One shard of a <see cref="ScriptedStreamSource"/>: its place in the tree, its range and its records.</summary>
internal sealed class ScriptedShard(string shardId, string? parentShardId, SequenceNumber startingSequenceNumber)
{
    public string ShardId { get; } = shardId;
    public string? ParentShardId { get; } = parentShardId;
    public SequenceNumber StartingSequenceNumber { get; } = startingSequenceNumber;
    public SequenceNumber? EndingSequenceNumber { get; private set; }
    public bool IsClosed => EndingSequenceNumber is not null;

    /// <summary>Aged out of the stream: no longer listed by DescribeStream, its records gone.</summary>
    public bool AgedOut { get; private set; }

    /// <summary>Every record up to this value was trimmed; reading from before it is a TrimmedDataAccessException.</summary>
    public BigInteger TrimmedThrough { get; private set; } = startingSequenceNumber.Value - 1;

    public List<ScriptedRecord> Records { get; } = [];

    public ShardDescription Describe() => new(ShardId, ParentShardId, StartingSequenceNumber, EndingSequenceNumber);

    public void Close() => EndingSequenceNumber = Records.Count > 0 ? Records[^1].SequenceNumber : StartingSequenceNumber;

    public void TrimThrough(SequenceNumber sequenceNumber)
    {
        Records.RemoveAll(r => r.SequenceNumber <= sequenceNumber);
        if (sequenceNumber.Value > TrimmedThrough) TrimmedThrough = sequenceNumber.Value;
    }

    public void AgeOut()
    {
        if (Records.Count > 0) TrimThrough(Records[^1].SequenceNumber);
        AgedOut = true;
    }
}

/// <summary>A record as a test wrote it: DynamoDB JSON, converted only when read (each table converts its own way).</summary>
internal sealed record ScriptedRecord(StreamEventName EventName, SequenceNumber SequenceNumber, DateTimeOffset CreatedAt, string KeysJson, string? NewImageJson);
