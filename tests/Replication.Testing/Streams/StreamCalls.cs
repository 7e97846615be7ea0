using Replication.Dynamo;

namespace Replication.Testing.Streams;

/// <summary>
/// One GetRecords call as the source saw it. <see cref="Fault"/> names the error it answered with (then no records
/// were returned); <see cref="EndOfShard"/> is true when it answered with no next iterator.
/// </summary>
public sealed record GetRecordsCall(
    long Order,
    string ShardId,
    DateTimeOffset At,
    IReadOnlyList<SequenceNumber> Returned,
    bool EndOfShard,
    string? Fault)
{
    public SequenceNumber? First => Returned.Count > 0 ? Returned[0] : null;
    public SequenceNumber? Last => Returned.Count > 0 ? Returned[^1] : null;
}

/// <summary>One GetShardIterator call as the source saw it (<see cref="Fault"/> set when it was refused).</summary>
public sealed record ShardIteratorRequest(
    long Order,
    string ShardId,
    ShardIteratorType Type,
    SequenceNumber? SequenceNumber,
    DateTimeOffset At,
    string? Fault);
