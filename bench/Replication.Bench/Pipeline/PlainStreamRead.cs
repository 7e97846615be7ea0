using System.Diagnostics;
using System.Text.Json;
using Replication.Dynamo;
using Replication.Dynamo.Http;

namespace Replication.Bench.Pipeline;

/// <summary>
/// The stream's limit: every shard of a stream read from TRIM_HORIZON with plain GetRecords (records counted and thrown
/// away), one reader per shard, parents before children, with the node's minimum interval between calls on a shard.
/// </summary>
public static class PlainStreamRead
{
    private const string Prefix = "DynamoDBStreams_20120810.";

    public static async Task<(long Records, TimeSpan Elapsed)> RunAsync(DynamoHttpTransport transport, string streamArn, int limit,
                                                                       TimeSpan minPollInterval, CancellationToken cancellationToken = default)
    {
        var streams = new DynamoStreamsClient(transport);
        var description = await streams.DescribeStreamAsync(streamArn, cancellationToken: cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        // Shards of DynamoDB Local rarely split in a short run; reading them one after another in the stream's order keeps
        // parents before children without building the tree.
        long records = 0;
        foreach (var shard in description.Shards)
        {
            var iterator = await streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.TrimHorizon, cancellationToken: cancellationToken)
                                        .ConfigureAwait(false);
            records += await DrainAsync(transport, iterator, limit, minPollInterval, cancellationToken).ConfigureAwait(false);
        }
        return (records, clock.Elapsed);
    }

    private static async Task<long> DrainAsync(DynamoHttpTransport transport, string iterator, int limit, TimeSpan minPollInterval,
                                               CancellationToken cancellationToken)
    {
        long records = 0;
        var sinceCall = Stopwatch.StartNew();
        while (true)
        {
            var wait = minPollInterval - sinceCall.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            sinceCall.Restart();
            using var body = await transport.SendAsync(transport.Endpoints.Streams, Prefix + "GetRecords", json =>
            {
                json.WriteString("ShardIterator", iterator);
                json.WriteNumber("Limit", limit);
            }, cancellationToken).ConfigureAwait(false);
            var (count, next) = ReadPage(body.Span);
            records += count;
            // An open shard never ends; an empty page means the reader has caught up with the writes.
            if (next is null || count == 0) return records;
            iterator = next;
        }
    }

    private static (int Count, string? NextIterator) ReadPage(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        reader.Read();
        int count = 0;
        string? next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Records"))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    reader.Skip();
                    count++;
                }
            }
            else if (reader.ValueTextEquals("NextShardIterator"))
            {
                reader.Read();
                next = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return (count, next);
    }
}
