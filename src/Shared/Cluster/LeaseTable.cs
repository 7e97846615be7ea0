using System.Globalization;
using MongoDB.Bson;
using Replication.Checkpoints;
using MongoDB.Driver;

namespace Replication.Cluster;

/// <summary>
/// The leases of every unit of work, kept in the checkpoint documents themselves (a segment's lease inside its table's
/// full-sync state, a shard's inside its shard checkpoint, a MongoDB source's range or change stream inside its range or
/// stream checkpoint) so that a position write can be conditional on the lease in one atomic update. Taking a lease is
/// a conditional update on the counter and renewal stamp the taker observed: of two nodes racing for one lease, exactly
/// one wins, and the counter it sets is the fencing token of its writes.
/// <para>
/// Expiry never compares one node's clock with another's. The holder bumps the lease's renewal stamp on every
/// renewal; an observer (this table, one per node) takes a held lease as expired only once it has seen the same owner,
/// counter and stamp unchanged for the lease's whole duration on its own monotonic clock. The holder, for its part,
/// stops writing a safe fraction of the duration after it sent its last successful renewal (<see cref="LeaseFence"/>).
/// </para>
/// <para>
/// Counters come from one sequence per checkpoint database (<c>leaseCounters</c>), so they only grow: also when a
/// re-sync deletes a table's shard checkpoints and begins new segments whose leases start at zero, a fence of the old
/// generation never equals a new one.
/// </para>
/// </summary>
public sealed class LeaseTable(IMongoDatabase database, TimeProvider? clock = null)
{
    /// <summary>The duration assumed for a lease written without one (by a version that wrote only an expiry time).</summary>
    private static readonly TimeSpan UnrecordedDuration = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _tables = database.GetCollection<BsonDocument>("tables");
    private readonly IMongoCollection<BsonDocument> _shards = database.GetCollection<BsonDocument>("shards");
    private readonly IMongoCollection<BsonDocument> _counters = database.GetCollection<BsonDocument>("leaseCounters");
    private readonly IMongoCollection<BsonDocument> _mongoRanges = database.GetCollection<BsonDocument>("mongoRanges");
    private readonly IMongoCollection<BsonDocument> _mongoSource = database.GetCollection<BsonDocument>("mongoSource");
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);

    /// <summary>
    /// Every unit that may be worked on now: segments of running full syncs not yet done, and leasable shards not
    /// finished; each marked <see cref="LeasedUnit.Expired"/> when this node has seen its lease unchanged for the lease's
    /// duration.
    /// </summary>
    public async Task<IReadOnlyList<LeasedUnit>> ListAsync(CancellationToken cancellationToken = default)
    {
        var units = new List<LeasedUnit>();
        var running = await _tables.Find(new BsonDocument { { "fullSync.status", nameof(FullSyncStatus.Running) } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in running.Select(CheckpointStore.ReadTable))
        {
            foreach (var segment in table.FullSync.Segments.Values.Where(s => s.Status != SegmentStatus.Done))
                units.Add(new LeasedUnit(new SegmentLeaseKey(table.Table, table.Generation, segment.Segment, table.FullSync.TotalSegments), segment.Lease ?? CheckpointLease.Free));
        }
        var leasable = await _shards.Find(new BsonDocument
        {
            { "leasable", true },
            { "status", new BsonDocument { { "$nin", new BsonArray { nameof(ShardStatus.Done), nameof(ShardStatus.Skipped) } } } },
        }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var shard in leasable.Select(CheckpointStore.ReadShard))
            units.Add(new LeasedUnit(new ShardLeaseKey(shard.Table, shard.ShardId, shard.ParentShardId), shard.Lease ?? CheckpointLease.Free));
        return Observe(units);
    }

    /// <summary>
    /// A MongoDB source's units: every <c>_id</c> range of its copy that the coordinator made leasable and that is not
    /// done yet, and every change stream the coordinator made leasable (once the copy is done) whose resume point is not
    /// lost and that the coordinator did not stop; marked expired as <see cref="ListAsync"/> marks its units. A node lists either these (MongoDB source) or
    /// those (DynamoDB source), never both: each listing forgets the sightings of units it does not list.
    /// </summary>
    public async Task<IReadOnlyList<LeasedUnit>> ListMongoUnitsAsync(CancellationToken cancellationToken = default)
    {
        var ranges = await _mongoRanges.Find(new BsonDocument { { "leasable", true }, { "done", false } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var units = ranges.Select(r => new LeasedUnit(new MongoRangeLeaseKey(r["_id"].AsString, r["ns"].AsString, r["generation"].AsInt32),
            CheckpointFields.Lease(r) ?? CheckpointLease.Free)).ToList();
        var streams = await _mongoSource.Find(LeasableStream()).ToListAsync(cancellationToken).ConfigureAwait(false);
        units.AddRange(streams.Select(s => new LeasedUnit(new ChangeStreamLeaseKey(s["unit"].AsString, s["generation"].AsInt32),
            CheckpointFields.Lease(s) ?? CheckpointLease.Free)));
        return Observe(units);
    }

    /// <summary>The lease kept in a unit's checkpoint document (its <c>lease</c> field), for readers outside this table; null when never taken.</summary>
    public static CheckpointLease? ReadLease(BsonDocument checkpoint) => CheckpointFields.Lease(checkpoint);

    /// <summary>A change stream's checkpoint that may be leased: made leasable by the coordinator, its resume point not lost, the run not stopped.</summary>
    private static BsonDocument LeasableStream() => new()
    {
        { "kind", "stream" }, { "leasable", true }, { "lost", new BsonDocument("$exists", false) }, { "stopped", new BsonDocument("$exists", false) },
    };

    /// <summary>
    /// Takes <paramref name="unit"/> if its lease is still exactly as it was listed. Without <paramref name="steal"/>
    /// only a free or expired lease is taken, so an owner that renewed meanwhile keeps it. Returns the new fence, or
    /// null when another node won (or the lease is held).
    /// </summary>
    public async Task<CheckpointFence?> TryAcquireAsync(LeasedUnit unit, string owner, TimeSpan duration, bool steal, CancellationToken cancellationToken = default)
    {
        if (!steal && unit.IsHeld) return null;
        var (collection, filter, path) = Locate(unit.Key, forTaking: true);
        filter.Add(path + ".owner", unit.Lease.Owner is { } observedOwner ? observedOwner : BsonNull.Value);
        filter.Add(path + ".counter", IsCounter(unit.Lease.Counter));
        filter.Add(path + ".renewal", IsCounter(unit.Lease.Renewal));
        var counter = await NextCounterAsync(unit.Lease.Counter, cancellationToken).ConfigureAwait(false);
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { path + ".owner", owner },
                    { path + ".counter", counter },
                    { path + ".renewal", 0L },
                    { path + ".durationMs", (long)duration.TotalMilliseconds },
                    { path + ".expiresAt", Date(_clock.GetUtcNow() + duration) },
                }
            },
        };
        return await UpdateAsync(collection, filter, update, cancellationToken).ConfigureAwait(false) ? new CheckpointFence(owner, counter) : null;
    }

    /// <summary>
    /// Extends a held lease by bumping its renewal stamp; false when it changed hands (or its unit is gone), and the
    /// work must stop at once. <c>expiresAt</c> is the holder's own estimate, for people reading the lease: no node
    /// decides anything on it.
    /// </summary>
    public Task<bool> RenewAsync(LeaseKey key, CheckpointFence fence, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var (collection, filter, path) = Locate(key, forTaking: false);
        filter.Add(path + ".owner", fence.Owner);
        filter.Add(path + ".counter", fence.Counter);
        var update = new BsonDocument
        {
            { "$inc", new BsonDocument { { path + ".renewal", 1L } } },
            { "$set", new BsonDocument { { path + ".durationMs", (long)duration.TotalMilliseconds }, { path + ".expiresAt", Date(_clock.GetUtcNow() + duration) } } },
        };
        return UpdateAsync(collection, filter, update, cancellationToken);
    }

    /// <summary>Hands a lease back so another node can take it at once (the unit finished, or this node is leaving).</summary>
    public Task<bool> ReleaseAsync(LeaseKey key, CheckpointFence fence, CancellationToken cancellationToken = default)
    {
        var (collection, filter, path) = Locate(key, forTaking: false);
        filter.Add(path + ".owner", fence.Owner);
        filter.Add(path + ".counter", fence.Counter);
        var update = new BsonDocument { { "$set", new BsonDocument { { path + ".owner", BsonNull.Value }, { path + ".expiresAt", BsonNull.Value } } } };
        return UpdateAsync(collection, filter, update, cancellationToken);
    }

    /// <summary>
    /// Marks each held lease expired once this node has seen it unchanged for its duration. A lease seen for the first
    /// time (or changed since last seen) starts its wait now, so a node that just started waits a whole duration too.
    /// </summary>
    private IReadOnlyList<LeasedUnit> Observe(List<LeasedUnit> units)
    {
        var now = _clock.GetTimestamp();
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < units.Count; i++)
            {
                var (key, lease) = (units[i].Key, units[i].Lease);
                seen.Add(key.Id);
                if (lease.Owner is null)
                {
                    _sightings.Remove(key.Id);
                    continue;
                }
                var stamp = new LeaseStamp(lease.Owner, lease.Counter, lease.Renewal);
                if (!_sightings.TryGetValue(key.Id, out var sighting) || sighting.Stamp != stamp)
                {
                    _sightings[key.Id] = new Sighting(stamp, now);
                    continue;
                }
                if (_clock.GetElapsedTime(sighting.Since, now) >= (lease.Duration ?? UnrecordedDuration))
                    units[i] = units[i] with { Expired = true };
            }
            foreach (var gone in _sightings.Keys.Where(id => !seen.Contains(id)).ToArray()) _sightings.Remove(gone);
        }
        return units;
    }

    /// <summary>The next fencing token: above every token this database ever handed out, and above <paramref name="observed"/>.</summary>
    private async Task<long> NextCounterAsync(long observed, CancellationToken cancellationToken)
    {
        var counters = await _counters.FindOneAndUpdateAsync(
            new BsonDocument { { "_id", "units" } },
            new BsonDocument { { "$inc", new BsonDocument { { "last", 1L } } } },
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After },
            cancellationToken).ConfigureAwait(false);
        var next = counters is not null ? CheckpointFields.Long(counters, "last") : 1;
        if (next > observed) return next;
        // A lease counted before the sequence existed: lift the sequence above it, so later tokens stay above it too.
        next = observed + 1;
        await CheckpointStore.UpdateOneAsync(_counters, new BsonDocument { { "_id", "units" } },
            new BsonDocument { { "$max", new BsonDocument { { "last", next } } } }, upsert: true, cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <summary>Where a unit's lease lives: the collection, the document (only while the unit may run, when taking it), and the lease's path.</summary>
    private (IMongoCollection<BsonDocument> Collection, BsonDocument Filter, string Path) Locate(LeaseKey key, bool forTaking)
    {
        switch (key)
        {
            case SegmentLeaseKey segment:
            {
                var path = "fullSync.segments." + segment.Segment.ToString(CultureInfo.InvariantCulture);
                var filter = new BsonDocument { { "_id", segment.Table }, { "generation", segment.Generation } };
                if (forTaking)
                {
                    filter.Add("fullSync.status", nameof(FullSyncStatus.Running));
                    filter.Add(path + ".status", new BsonDocument { { "$ne", nameof(SegmentStatus.Done) } });
                }
                return (_tables, filter, path + ".lease");
            }
            case ShardLeaseKey shard:
            {
                var filter = new BsonDocument { { "_id", CheckpointStore.ShardDocumentId(shard.Table, shard.ShardId) } };
                if (forTaking)
                {
                    filter.Add("leasable", true);
                    filter.Add("status", new BsonDocument { { "$nin", new BsonArray { nameof(ShardStatus.Done), nameof(ShardStatus.Skipped) } } });
                }
                return (_shards, filter, "lease");
            }
            case MongoRangeLeaseKey range:
            {
                var filter = new BsonDocument { { "_id", range.RangeId }, { "generation", range.Generation } };
                if (forTaking)
                {
                    filter.Add("leasable", true);
                    filter.Add("done", false);
                }
                return (_mongoRanges, filter, "lease");
            }
            case ChangeStreamLeaseKey stream:
            {
                // The document's id is MongoSyncCheckpoints.StreamId's.
                var filter = new BsonDocument { { "_id", "stream:" + stream.Unit }, { "generation", stream.Generation } };
                if (forTaking) filter.AddRange(LeasableStream());
                return (_mongoSource, filter, "lease");
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(key), key, "unknown kind of lease");
        }
    }

    private static async Task<bool> UpdateAsync(IMongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument update, CancellationToken cancellationToken) =>
        await CheckpointStore.UpdateOneAsync(collection, filter, update, upsert: false, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>The condition that a lease's counter is still the one observed (a lease never taken may have no counter yet).</summary>
    internal static BsonDocument IsCounter(long observed) => observed == 0
        ? new BsonDocument { { "$in", new BsonArray { 0L, BsonNull.Value } } }
        : new BsonDocument { { "$eq", observed } };

    internal static BsonDateTime Date(DateTimeOffset time) => new(time.ToUnixTimeMilliseconds());

    private readonly record struct LeaseStamp(string Owner, long Counter, long Renewal);

    private readonly record struct Sighting(LeaseStamp Stamp, long Since);
}
