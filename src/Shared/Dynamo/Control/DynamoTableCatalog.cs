using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Replication.Dynamo.Conversion;

namespace Replication.Dynamo.Control;

/// <summary>
/// The control plane through the SDK's client: list tables, describe them, and make sure each has a stream with
/// new images. When a <see cref="DynamoStreamsClient"/> is given, enabling also waits for the stream itself to
/// report ENABLED, not only the table.
/// </summary>
public sealed class DynamoTableCatalog(IAmazonDynamoDB client, DynamoStreamsClient? streams = null, TimeProvider? clock = null)
{
    private static readonly TimeSpan FirstPollDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPollDelay = TimeSpan.FromSeconds(3);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Every table name, all pages.</summary>
    public async Task<IReadOnlyList<string>> ListTableNamesAsync(int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        string? start = null;
        do
        {
            var request = new ListTablesRequest { ExclusiveStartTableName = start };
            if (pageSize is { } limit) request.Limit = limit;
            var response = await client.ListTablesAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.TableNames is { } page) names.AddRange(page);
            start = string.IsNullOrEmpty(response.LastEvaluatedTableName) ? null : response.LastEvaluatedTableName;
        } while (start is not null);
        return names;
    }

    public async Task<DynamoTableInfo> DescribeTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        DescribeTableResponse response;
        try
        {
            response = await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException e)
        {
            throw new DynamoTableNotFoundException(tableName, e);
        }
        var t = response.Table;
        var spec = t.StreamSpecification;
        var streamEnabled = spec?.StreamEnabled == true;
        return new DynamoTableInfo(
            t.TableName,
            t.TableArn ?? "",
            t.TableStatus?.Value ?? "",
            ToKeySchema(t.KeySchema, t.TableName),
            t.GlobalSecondaryIndexes?.Select(i => new DynamoIndexInfo(i.IndexName, ToKeySchema(i.KeySchema, $"{t.TableName}/{i.IndexName}"))).ToArray() ?? [],
            t.LocalSecondaryIndexes?.Select(i => new DynamoIndexInfo(i.IndexName, ToKeySchema(i.KeySchema, $"{t.TableName}/{i.IndexName}"))).ToArray() ?? [],
            new DynamoStreamSettings(streamEnabled, streamEnabled ? spec!.StreamViewType?.Value : null, streamEnabled ? t.LatestStreamArn : null),
            t.ItemCount ?? 0);
    }

    /// <summary>
    /// Returns the table with a stream that carries new images: an existing NEW_IMAGE / NEW_AND_OLD_IMAGES stream as
    /// is, otherwise a newly enabled NEW_AND_OLD_IMAGES stream once it is active. A KEYS_ONLY or OLD_IMAGE stream
    /// is a <see cref="StreamViewTypeException"/>: replacing it would cut off its other consumers.
    /// </summary>
    public async Task<DynamoTableInfo> EnsureStreamAsync(string tableName, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var table = await DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
        if (table.Stream.Enabled)
        {
            if (!table.Stream.HasNewImages) throw new StreamViewTypeException(tableName, table.Stream.ViewType ?? "(unknown)");
            return await WaitForActiveStreamAsync(tableName, timeout, cancellationToken).ConfigureAwait(false);
        }

        await client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = tableName,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        }, cancellationToken).ConfigureAwait(false);
        return await WaitForActiveStreamAsync(tableName, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DynamoTableInfo> WaitForActiveStreamAsync(string tableName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _clock.GetUtcNow() + timeout;
        var delay = FirstPollDelay;
        string lastState;
        while (true)
        {
            var table = await DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
            lastState = $"table status {table.TableStatus}, stream enabled {table.Stream.Enabled}, stream ARN {table.Stream.LatestStreamArn ?? "(none)"}";
            if (table.TableStatus == "ACTIVE" && table.Stream is { Enabled: true, LatestStreamArn: { } arn })
            {
                if (streams is null) return table;
                var description = await streams.DescribeStreamAsync(arn, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (description.StreamStatus == "ENABLED") return table;
                lastState += $", stream status {description.StreamStatus}";
            }
            var now = _clock.GetUtcNow();
            if (now >= deadline)
                throw new TimeoutException($"the stream of table '{tableName}' did not become active within {timeout.TotalSeconds:0.#} s ({lastState})");
            var wait = delay < deadline - now ? delay : deadline - now;
            await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollDelay.Ticks));
        }
    }

    private static TableKeySchema ToKeySchema(List<KeySchemaElement>? schema, string owner)
    {
        var hash = schema?.FirstOrDefault(k => k.KeyType == KeyType.HASH)?.AttributeName
                   ?? throw new InvalidOperationException($"'{owner}' has no HASH key in its key schema");
        return new TableKeySchema(hash, schema.FirstOrDefault(k => k.KeyType == KeyType.RANGE)?.AttributeName);
    }
}
