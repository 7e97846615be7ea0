using System.Globalization;
using MongoDB.Bson;
using Replication.Checkpoints;
using MongoDB.Driver;

namespace Replication.Cluster;

/// <summary>
/// The leases of every unit of work, kept in the checkpoint documents themselves (a segment's lease inside its table's
/// full-sync state, a shard's inside its shard checkpoint) so that a position write can be conditional on the lease in
/// one atomic update. Taking a lease is a conditional update on the counter the taker observed: of two nodes racing
/// for one lease, exactly one wins, and the counter it sets is the fencing token of its checkpoint writes.
/// </summary>
public sealed class LeaseTable(IMongoDatabase database, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _tables = database.GetCollection<BsonDocument>("tables");
    private readonly IMongoCollection<BsonDocument> _shards = database.GetCollection<BsonDocument>("shards");

    /// <summary>Every unit that may be worked on now: segments of running full syncs not yet done, and leasable shards not finished.</summary>
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
        return units;
    }

    /// <summary>
    /// Takes <paramref name="unit"/> if its lease is still as it was read. Without <paramref name="steal"/> only a free or
    /// expired lease is taken, so an owner that renewed meanwhile keeps it. Returns the new fence, or null when another
    /// node won.
    /// </summary>
    public async Task<CheckpointFence?> TryAcquireAsync(LeasedUnit unit, string owner, TimeSpan duration, bool steal, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var (collection, filter, path) = Locate(unit.Key, forTaking: true);
        filter.Add(path + ".counter", IsCounter(unit.Lease.Counter));
        if (!steal)
            filter.Add("$or", new BsonArray
            {
                new BsonDocument { { path + ".owner", BsonNull.Value } },
                new BsonDocument { { path + ".expiresAt", new BsonDocument { { "$lte", Date(now) } } } },
            });
        var counter = unit.Lease.Counter + 1;
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { path + ".owner", owner },
                    { path + ".counter", counter },
                    { path + ".expiresAt", Date(now + duration) },
                }
            },
        };
        return await UpdateAsync(collection, filter, update, cancellationToken).ConfigureAwait(false) ? new CheckpointFence(owner, counter) : null;
    }

    /// <summary>Extends a held lease; false when it changed hands (or its unit is gone), and the work must stop at once.</summary>
    public Task<bool> RenewAsync(LeaseKey key, CheckpointFence fence, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var (collection, filter, path) = Locate(key, forTaking: false);
        filter.Add(path + ".owner", fence.Owner);
        filter.Add(path + ".counter", fence.Counter);
        var update = new BsonDocument { { "$set", new BsonDocument { { path + ".expiresAt", Date(_clock.GetUtcNow() + duration) } } } };
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
}
