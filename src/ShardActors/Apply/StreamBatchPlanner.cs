using Replication.Dynamo;

namespace Replication.ShardActors.Apply;

/// <summary>A GetRecords batch turned into target writes: one per key (its last record), plus records that could not be converted.</summary>
public sealed record StreamBatchPlan(IReadOnlyList<TargetWrite> Writes, IReadOnlyList<UnconvertibleRecord> Unconvertible);

/// <param name="LastOfKey">Its key is known and no later record of the batch changes it: the target's document of the key is stale.</param>
public readonly record struct UnconvertibleRecord(StreamRecord Record, bool LastOfKey);

/// <summary>
/// Collapses a batch to the last record of each key: applying only the last change of a key gives the same result as
/// applying all of them in order, with fewer writes, and makes the writes independent so the bulk can be unordered.
/// A record that cannot be converted but has a key is that key's last change too: earlier writes of the key are dropped.
/// </summary>
public static class StreamBatchPlanner
{
    public static StreamBatchPlan Plan(IReadOnlyList<StreamRecord> records)
    {
        // The last record of each key; negative (~index) when that record cannot be converted.
        var lastByKey = new Dictionary<ReadOnlyMemory<byte>, int>(records.Count, KeyBytesComparer.Instance);
        var unconvertible = new List<int>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var convertible = record.ConversionFailure is null && (record.EventName == StreamEventName.Remove || record.HasNewImage);
            if (!convertible) unconvertible.Add(i);
            if (!record.KeyFilter.IsEmpty) lastByKey[record.KeyFilter] = convertible ? i : ~i;
        }

        var indexes = lastByKey.Values.Where(i => i >= 0).ToArray();
        Array.Sort(indexes);
        var writes = new TargetWrite[indexes.Length];
        for (var w = 0; w < indexes.Length; w++)
        {
            var r = records[indexes[w]];
            writes[w] = r.EventName == StreamEventName.Remove
                ? new TargetWrite(TargetWriteKind.Delete, r.KeyFilter, ReadOnlyMemory<byte>.Empty, r.SequenceNumber.ToString())
                : new TargetWrite(TargetWriteKind.Replace, r.KeyFilter, r.NewImage, r.SequenceNumber.ToString());
        }
        var stale = lastByKey.Values.Where(i => i < 0).Select(i => ~i).ToHashSet();
        return new StreamBatchPlan(writes, unconvertible.Select(i => new UnconvertibleRecord(records[i], stale.Contains(i))).ToList());
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
