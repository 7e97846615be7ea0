using System.Net;
using Replication.Dynamo;
using Replication.Dynamo.Http;

namespace Replication.Testing.Streams;

public sealed partial class ScriptedStreamSource
{
    private readonly Dictionary<string, Queue<Func<DynamoException>>> _faults = new(StringComparer.Ordinal);
    private readonly List<GetRecordsCall> _calls = [];
    private readonly List<ShardIteratorRequest> _iteratorRequests = [];
    private long _order;

    /// <summary>The next GetRecords call on the shard fails with ExpiredIteratorException (the shard's data is untouched).</summary>
    public void ExpireIteratorOnNextCall(string shardId) =>
        AddFault(shardId, () => new DynamoExpiredIteratorException("GetRecords", HttpStatusCode.BadRequest, $"Iterator expired (injected for shard {shardId})"));

    /// <summary>The next GetRecords call on the shard fails with TrimmedDataAccessException.</summary>
    public void TrimmedDataOnNextCall(string shardId) =>
        AddFault(shardId, () => new DynamoTrimmedDataAccessException("GetRecords", HttpStatusCode.BadRequest,
            $"The operation attempted to read past the oldest stream record in a shard (injected for shard {shardId})"));

    /// <summary>The next GetRecords call on the shard fails with a server error, as one that outlived the client's retries would.</summary>
    public void ServerErrorOnNextCall(string shardId) =>
        AddFault(shardId, () => new DynamoServerException("GetRecords", "InternalServerError", HttpStatusCode.InternalServerError,
            $"Internal server error (injected for shard {shardId})"));

    /// <summary>Every GetRecords call so far, in the order they were made.</summary>
    public IReadOnlyList<GetRecordsCall> Calls
    {
        get { lock (_gate) return _calls.ToArray(); }
    }

    public IReadOnlyList<GetRecordsCall> CallsOf(string shardId)
    {
        lock (_gate) return _calls.Where(c => c.ShardId == shardId).ToArray();
    }

    /// <summary>Every GetShardIterator call so far; its Order interleaves with <see cref="Calls"/>.</summary>
    public IReadOnlyList<ShardIteratorRequest> IteratorRequests
    {
        get { lock (_gate) return _iteratorRequests.ToArray(); }
    }

    private void AddFault(string shardId, Func<DynamoException> fault)
    {
        lock (_gate)
        {
            Shard(shardId);
            if (!_faults.TryGetValue(shardId, out var queue)) _faults[shardId] = queue = new Queue<Func<DynamoException>>();
            queue.Enqueue(fault);
        }
    }

    private DynamoException? InjectedFault(string shardId) =>
        _faults.TryGetValue(shardId, out var queue) && queue.TryDequeue(out var fault) ? fault() : null;

    private void RecordGetRecords(string shardId, IReadOnlyList<SequenceNumber> returned, bool endOfShard, string? fault) =>
        _calls.Add(new GetRecordsCall(++_order, shardId, _clock.GetUtcNow(), returned, endOfShard, fault));

    private void RecordIteratorRequest(string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber, string? fault) =>
        _iteratorRequests.Add(new ShardIteratorRequest(++_order, shardId, type, sequenceNumber, _clock.GetUtcNow(), fault));
}
