using MongoDB.Bson;
using Replication.Checkpoints;
using MongoDB.Driver;

namespace Replication.Cluster;

/// <summary>
/// The cluster singleton's lease, one document in <c>leases</c>: the node holding it runs the coordinator (discovery,
/// table planning). Same rules as the work leases (<see cref="LeaseTable"/>): taken when free, or once this node has
/// seen it unrenewed for its whole duration on its own clock, by a conditional update on the counter and renewal stamp;
/// renewed by its owner, handed back on a graceful stop. One instance per node: it remembers what it saw, and holds
/// <see cref="Fence"/> while this node is the coordinator, through which the table owners' own writes (a re-sync's
/// drop of a collection) go.
/// </summary>
public sealed class CoordinatorLease(IMongoDatabase database, TimeProvider? clock = null)
{
    public const string DocumentId = "coordinator";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _leases = database.GetCollection<BsonDocument>("leases");
    private (string Owner, long Counter, long Renewal, long Since)? _sighting;

    /// <summary>This node's fence while it holds the lease; null (or expired) when it does not.</summary>
    public LeaseFence? Fence { get; private set; }

    public async Task<CheckpointLease> ReadAsync(CancellationToken cancellationToken = default)
    {
        var found = await _leases.Find(Filter()).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? CheckpointLease.Free : CheckpointFields.Lease(found[0]) ?? CheckpointLease.Free;
    }

    /// <summary>Takes the lease when it is free or expired (by this node's watch); null when another node holds it (or won the race).</summary>
    public async Task<CheckpointFence?> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var observed = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (observed.Owner is not null && observed.Owner != owner && !Expired(observed)) return null;
        var filter = Filter();
        filter.Add("lease.counter", LeaseTable.IsCounter(observed.Counter));
        filter.Add("lease.renewal", LeaseTable.IsCounter(observed.Renewal));
        var counter = observed.Counter + 1;
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { "lease.owner", owner }, { "lease.counter", counter }, { "lease.renewal", 0L }, { "lease.durationMs", (long)duration.TotalMilliseconds },
                    { "lease.expiresAt", LeaseTable.Date(_clock.GetUtcNow() + duration) },
                }
            },
        };
        var sentAt = _clock.GetTimestamp();
        try
        {
            if (await CheckpointStore.UpdateOneAsync(_leases, filter, update, upsert: true, cancellationToken).ConfigureAwait(false) == 0) return null;
        }
        catch (MongoBulkWriteException<BsonDocument> e) when (e.WriteErrors.Any(w => w.Code == 11000))
        {
            return null; // the document exists with another counter: someone else took the lease first
        }
        var fence = new CheckpointFence(owner, counter);
        Fence?.Dispose();
        Fence = new LeaseFence(fence, duration, sentAt, _clock);
        return fence;
    }

    public async Task<bool> RenewAsync(CheckpointFence fence, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var sentAt = _clock.GetTimestamp();
        var renewed = await UpdateHeldAsync(fence, new BsonDocument
        {
            { "$inc", new BsonDocument { { "lease.renewal", 1L } } },
            { "$set", new BsonDocument { { "lease.durationMs", (long)duration.TotalMilliseconds }, { "lease.expiresAt", LeaseTable.Date(_clock.GetUtcNow() + duration) } } },
        }, cancellationToken).ConfigureAwait(false);
        if (Fence is { } held && held.Claim == fence && !(renewed && held.Renewed(sentAt))) await held.RevokeAsync().ConfigureAwait(false);
        return renewed;
    }

    /// <summary>Hands the lease back once the writes made under it have ended.</summary>
    public async Task<bool> ReleaseAsync(CheckpointFence fence, CancellationToken cancellationToken = default)
    {
        if (Fence is { } held && held.Claim == fence) await held.RevokeAsync().ConfigureAwait(false);
        return await UpdateHeldAsync(fence, new BsonDocument { { "$set", new BsonDocument { { "lease.owner", BsonNull.Value }, { "lease.expiresAt", BsonNull.Value } } } },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> UpdateHeldAsync(CheckpointFence fence, BsonDocument update, CancellationToken cancellationToken)
    {
        var filter = Filter();
        filter.Add("lease.owner", fence.Owner);
        filter.Add("lease.counter", fence.Counter);
        return await CheckpointStore.UpdateOneAsync(_leases, filter, update, upsert: false, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Seen unchanged (owner, counter, renewal stamp) for the lease's duration on this node's own clock.</summary>
    private bool Expired(CheckpointLease observed)
    {
        var now = _clock.GetTimestamp();
        var stamp = (observed.Owner!, observed.Counter, observed.Renewal);
        if (_sighting is not { } seen || (seen.Owner, seen.Counter, seen.Renewal) != stamp)
        {
            _sighting = (stamp.Item1, stamp.Counter, stamp.Renewal, now);
            return false;
        }
        return _clock.GetElapsedTime(seen.Since, now) >= (observed.Duration ?? TimeSpan.FromSeconds(10));
    }

    private static BsonDocument Filter() => new() { { "_id", DocumentId } };
}
