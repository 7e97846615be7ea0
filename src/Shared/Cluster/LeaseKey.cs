using System.Globalization;
using Replication.Checkpoints;

namespace Replication.Cluster;

/// <summary>A unit of work that one node at a time may hold: a full-sync Scan segment or a stream shard.</summary>
public abstract record LeaseKey(string Table)
{
    /// <summary>Unique across the cluster; also how the endpoints name the lease.</summary>
    public abstract string Id { get; }

    public abstract LeaseKind Kind { get; }
}

/// <param name="Generation">The table's generation the segment belongs to: a re-sync makes every older segment lease void.</param>
public sealed record SegmentLeaseKey(string Table, int Generation, int Segment, int TotalSegments) : LeaseKey(Table)
{
    public override string Id => $"segment/{Table}/{Generation.ToString(CultureInfo.InvariantCulture)}/{Segment.ToString(CultureInfo.InvariantCulture)}";

    public override LeaseKind Kind => LeaseKind.Segment;
}

public sealed record ShardLeaseKey(string Table, string ShardId, string? ParentShardId) : LeaseKey(Table)
{
    public override string Id => $"shard/{Table}/{ShardId}";

    public override LeaseKind Kind => LeaseKind.Shard;
}

/// <summary>
/// An <c>_id</c> range of a MongoDB source's collection copy: the MongoDB mode's counterpart of a Scan segment (and shown
/// as one). Its lease lives in the range's checkpoint document (<c>mongoRanges</c>).
/// </summary>
/// <param name="Generation">The source's generation the range belongs to: a re-sync forgets every older range.</param>
public sealed record MongoRangeLeaseKey(string RangeId, string Namespace, int Generation) : LeaseKey(Namespace)
{
    public override string Id => $"range/{RangeId}";

    public override LeaseKind Kind => LeaseKind.Segment;
}

/// <summary>
/// One change stream of a MongoDB source (the cluster's, or one database's): the MongoDB mode's counterpart of a stream
/// shard (and shown as one). Its lease lives in the stream's checkpoint document (<c>mongoSource</c>, next to its resume
/// token), so a position write is conditional on it.
/// </summary>
/// <param name="Unit">"cluster", or the source database the stream watches.</param>
/// <param name="Generation">The source's generation the stream belongs to: a re-sync records new start positions.</param>
public sealed record ChangeStreamLeaseKey(string Unit, int Generation) : LeaseKey(Unit)
{
    public override string Id => $"stream/{Unit}";

    public override LeaseKind Kind => LeaseKind.Shard;
}

/// <summary>A leasable unit as last read, with its lease at that moment.</summary>
public sealed record LeasedUnit(LeaseKey Key, CheckpointLease Lease)
{
    /// <summary>The reading node saw the lease unchanged (no renewal) for the lease's whole duration on its own clock.</summary>
    public bool Expired { get; init; }

    public bool IsHeld => Lease.Owner is not null && !Expired;
}
