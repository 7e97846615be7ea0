using Replication.Dynamo;
using Replication.Dynamo.Conversion;

namespace Replication.ShardActors.Streams;

/// <summary>
/// The three stream calls a shard needs. DynamoDB Streams is the one production source; the seam exists because
/// shard splits cannot be produced on demand by DynamoDB Local, and shard-tree ordering must still be proven.
/// </summary>
public interface IStreamSource
{
    Task<StreamDescription> DescribeStreamAsync(string streamArn, CancellationToken cancellationToken);

    Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber, CancellationToken cancellationToken);

    Task<StreamRecordsPage> GetRecordsAsync(string shardIterator, DynamoItemConverter converter, int limit, CancellationToken cancellationToken);
}

/// <summary>DynamoDB Streams behind <see cref="IStreamSource"/>.</summary>
public sealed class DynamoStreamSource(DynamoStreamsClient client) : IStreamSource
{
    public Task<StreamDescription> DescribeStreamAsync(string streamArn, CancellationToken cancellationToken) =>
        client.DescribeStreamAsync(streamArn, cancellationToken: cancellationToken);

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, SequenceNumber? sequenceNumber, CancellationToken cancellationToken) =>
        client.GetShardIteratorAsync(streamArn, shardId, type, sequenceNumber, cancellationToken);

    public Task<StreamRecordsPage> GetRecordsAsync(string shardIterator, DynamoItemConverter converter, int limit, CancellationToken cancellationToken) =>
        client.GetRecordsAsync(shardIterator, converter, limit, cancellationToken);
}
