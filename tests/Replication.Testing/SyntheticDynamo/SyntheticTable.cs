using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Replication.Testing.DynamoLocal;

namespace Replication.Testing.SyntheticDynamo;

/// <summary>
/// A table of <see cref="ItemCount"/> items that exist only virtually: item i is <see cref="DynamoItemGenerator.Item"/>(i)
/// and belongs to Scan segment i % TotalSegments. Pages are generated on demand, so memory stays flat in the table size.
/// </summary>
public sealed class SyntheticTable
{
    /// <summary>DynamoDB stops a Scan page at 1 MB; here the page's JSON is what is counted.</summary>
    public const int DefaultMaxPageBytes = 1 << 20;

    private readonly DynamoItemGenerator _generator;

    public SyntheticTable(string name, int itemCount, int payloadBytes = 100, int maxPageBytes = DefaultMaxPageBytes, string hashKey = "pk")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPageBytes);
        Name = name;
        ItemCount = itemCount;
        PayloadBytes = payloadBytes;
        MaxPageBytes = maxPageBytes;
        _generator = new DynamoItemGenerator(hashKey);
        AverageItemBytes = SampleAverageItemBytes();
    }

    public string Name { get; }
    public int ItemCount { get; }
    public int PayloadBytes { get; }
    public int MaxPageBytes { get; }
    public string HashKey => _generator.HashKey;
    /// <summary>Average JSON size of the first 100 items; DescribeTable's TableSizeBytes is this times the item count.</summary>
    public double AverageItemBytes { get; }

    /// <summary>
    /// One Scan page as DynamoDB's JSON: the items of <paramref name="segment"/> after <paramref name="exclusiveStartIndex"/>
    /// (null: from the start), up to <paramref name="limit"/> items or <see cref="MaxPageBytes"/>; LastEvaluatedKey unless
    /// the page ends the segment.
    /// </summary>
    public void WriteScanPage(Utf8JsonWriter json, int segment, int totalSegments, int? exclusiveStartIndex, int? limit)
    {
        if (totalSegments <= 0 || segment < 0 || segment >= totalSegments)
            throw new ArgumentException($"segment {segment} of {totalSegments} is not a valid parallel Scan segment");
        var next = exclusiveStartIndex is { } start ? start + totalSegments : segment;
        var maxItems = limit is > 0 ? limit.Value : int.MaxValue;
        json.WriteStartObject();
        json.WriteStartArray("Items");
        var count = 0;
        var pageStart = json.BytesCommitted + json.BytesPending;
        var last = -1;
        while (next < ItemCount && count < maxItems && json.BytesCommitted + json.BytesPending - pageStart < MaxPageBytes)
        {
            DynamoJsonItemWriter.WriteItem(json, _generator.Item(next, PayloadBytes));
            last = next;
            next += totalSegments;
            count++;
        }
        json.WriteEndArray();
        json.WriteNumber("Count", count);
        json.WriteNumber("ScannedCount", count);
        if (last >= 0 && next < ItemCount)
        {
            json.WriteStartObject("LastEvaluatedKey");
            json.WriteStartObject(HashKey);
            json.WriteString("S", DynamoItemGenerator.KeyOf(last));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>The index of the item a LastEvaluatedKey names (<c>{"pk":{"S":"item-00000123"}}</c>).</summary>
    public int IndexOfKey(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || !key.TryGetProperty(HashKey, out var attribute) ||
            !attribute.TryGetProperty("S", out var text) || text.GetString() is not { } value || !value.StartsWith("item-", StringComparison.Ordinal) ||
            !int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new ArgumentException($"ExclusiveStartKey {key.GetRawText()} is not a key of table '{Name}'");
        return index;
    }

    private double SampleAverageItemBytes()
    {
        var sample = Math.Min(ItemCount, 100);
        if (sample == 0) return 0;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < sample; i++) DynamoJsonItemWriter.WriteItem(json, _generator.Item(i, PayloadBytes));
            json.WriteEndArray();
        }
        return (double)buffer.WrittenCount / sample;
    }
}
