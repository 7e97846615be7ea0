using Replication.Dynamo;

namespace Replication.ShardActors.Apply;

/// <summary>A GetRecords batch turned into target writes: one per key (its last record), plus records that could not be converted.</summary>
public sealed record StreamBatchPlan(IReadOnlyList<TargetWrite> Writes, IReadOnlyList<StreamRecord> Unconvertible);

/// <summary>
/// Collapses a batch to the last record of each key: applying only the last change of a key gives the same result as
/// applying all of them in order, with fewer writes, and makes the writes independent so the bulk can be unordered.
/// </summary>
public static class StreamBatchPlanner
{
    public static StreamBatchPlan Plan(IReadOnlyList<StreamRecord> records)
    {
        var lastByKey = new Dictionary<ReadOnlyMemory<byte>, int>(records.Count, KeyBytesComparer.Instance);
        var unconvertible = new List<StreamRecord>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record.ConversionFailure is not null || record.KeyFilter.IsEmpty || (record.EventName != StreamEventName.Remove && !record.HasNewImage))
            {
                unconvertible.Add(record);
                continue;
            }
            lastByKey[record.KeyFilter] = i;
        }

        var indexes = lastByKey.Values.ToArray();
        Array.Sort(indexes);
        var writes = new TargetWrite[indexes.Length];
        for (var w = 0; w < indexes.Length; w++)
        {
            var r = records[indexes[w]];
            writes[w] = r.EventName == StreamEventName.Remove
                ? new TargetWrite(TargetWriteKind.Delete, r.KeyFilter, ReadOnlyMemory<byte>.Empty, r.SequenceNumber.ToString())
                : new TargetWrite(TargetWriteKind.Replace, r.KeyFilter, r.NewImage, r.SequenceNumber.ToString());
        }
        return new StreamBatchPlan(writes, unconvertible);
    }

    private sealed class KeyBytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly KeyBytesComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> key)
        {
            var hash = new HashCode();
            hash.AddBytes(key.Span);
            return hash.ToHashCode();
        }
    }
}
