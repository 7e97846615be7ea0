using Replication.Dynamo.Conversion;

namespace Replication.Dynamo;

public sealed record StreamSummary(string StreamArn, string TableName, string StreamLabel);

/// <summary>A shard of a stream; <see cref="EndingSequenceNumber"/> is set once the shard is closed.</summary>
public sealed record ShardDescription(string ShardId, string? ParentShardId, SequenceNumber StartingSequenceNumber, SequenceNumber? EndingSequenceNumber)
{
    public bool IsClosed => EndingSequenceNumber is not null;
}

/// <summary>DescribeStream with every shard (all pages). StreamStatus: ENABLING, ENABLED, DISABLING, DISABLED.</summary>
public sealed record StreamDescription(
    string StreamArn,
    string TableName,
    string StreamStatus,
    string StreamViewType,
    TableKeySchema KeySchema,
    IReadOnlyList<ShardDescription> Shards);

public enum ShardIteratorType
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
}

public enum StreamEventName
{
    Insert,
    Modify,
    Remove,
}
