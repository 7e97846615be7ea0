using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Replication.Dynamo.Http;

namespace Replication.Bench.Pipeline;

/// <summary>
/// The source's limit: a parallel Scan with the full sync's segment count and page size that reads every page and
/// throws the items away (no conversion, no target), over the same HTTP transport the node uses.
/// </summary>
public static class PlainScan
{
    public static async Task<(long Items, TimeSpan Elapsed)> RunAsync(DynamoHttpTransport transport, string table, int segments, int pageSize,
                                                                     CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, segments).Select(s => ScanSegmentAsync(transport, table, s, segments, pageSize, cancellationToken)));
        return (counts.Sum(), clock.Elapsed);
    }

    private static async Task<long> ScanSegmentAsync(DynamoHttpTransport transport, string table, int segment, int segments, int pageSize,
                                                     CancellationToken cancellationToken)
    {
        long items = 0;
        string? start = null;
        do
        {
            using var body = await transport.SendAsync(transport.Endpoints.DynamoDb, "DynamoDB_20120810.Scan", json =>
            {
                json.WriteString("TableName", table);
                json.WriteNumber("Segment", segment);
                json.WriteNumber("TotalSegments", segments);
                if (pageSize > 0) json.WriteNumber("Limit", pageSize);
                if (start is not null)
                {
                    json.WritePropertyName("ExclusiveStartKey");
                    json.WriteRawValue(start);
                }
            }, cancellationToken).ConfigureAwait(false);
            (var count, start) = ReadCountAndLastKey(body.Span);
            items += count;
        } while (start is not null);
        return items;
    }

    private static (int Count, string? LastKey) ReadCountAndLastKey(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        reader.Read();
        int count = 0;
        string? lastKey = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Count")) { reader.Read(); count = reader.GetInt32(); }
            else if (reader.ValueTextEquals("LastEvaluatedKey"))
            {
                reader.Read();
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                lastKey = Encoding.UTF8.GetString(response[from..(int)reader.BytesConsumed]);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return (count, lastKey);
    }
}
