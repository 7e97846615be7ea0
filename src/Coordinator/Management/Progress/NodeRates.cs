namespace Replication.Coordinator.Management.Progress;

/// <summary>What a leased unit is, for the per-member counts of <c>/progress</c>.</summary>
internal enum HeldUnitKind { Segment, Shard, Range, ChangeStream }

/// <summary>A unit whose lease names <paramref name="Owner"/>, with the total it has made so far (items written or events applied).</summary>
internal readonly record struct HeldUnit(string Owner, string UnitId, HeldUnitKind Kind, long Items);

/// <summary>
/// <c>/progress</c>'s <c>nodes</c>: per member holding leases, how many units of each kind it holds and the items per
/// second those units made between successive requests — each unit measured only while that member holds it, so a unit
/// changing hands never counts its earlier total as the new holder's.
/// </summary>
internal sealed class NodeRates
{
    private readonly RateSampler _rates = new(window: TimeSpan.FromSeconds(30), minimumSpan: TimeSpan.FromSeconds(1));

    /// <returns>One report per member, by name; null when no unit is leased (a single node).</returns>
    public List<NodeProgressReport>? Report(IReadOnlyCollection<HeldUnit> held, bool mongoSource, DateTimeOffset now)
    {
        // Units come and go (DynamoDB shards roll over every few hours): keep only the series still held.
        _rates.RetainOnly(held.Select(Series).ToHashSet(StringComparer.Ordinal));
        if (held.Count == 0) return null;
        return held.GroupBy(h => h.Owner, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var rates = g.Select(h => _rates.Observe(Series(h), h.Items, now)).OfType<double>().ToList();
            int Count(HeldUnitKind kind) => g.Count(h => h.Kind == kind);
            var report = new NodeProgressReport(g.Key, rates.Count > 0 ? rates.Sum() : null);
            return mongoSource
                ? report with { Ranges = Count(HeldUnitKind.Range), ChangeStreams = Count(HeldUnitKind.ChangeStream) }
                : report with { Segments = Count(HeldUnitKind.Segment), Shards = Count(HeldUnitKind.Shard) };
        }).ToList();
    }

    private static string Series(HeldUnit unit) => $"{unit.UnitId}@{unit.Owner}";
}
