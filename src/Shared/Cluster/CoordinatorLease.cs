using MongoDB.Bson;
using Replication.Checkpoints;
using MongoDB.Driver;

namespace Replication.Cluster;

/// <summary>
/// The cluster singleton's lease, one document in <c>leases</c>: the node holding it runs the coordinator (discovery,
/// table planning). Same rules as the work leases: taken when free or expired by a conditional update on the counter,
/// renewed by its owner, handed back on a graceful stop.
/// </summary>
public sealed class CoordinatorLease(IMongoDatabase database, TimeProvider? clock = null)
{
    public const string DocumentId = "coordinator";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _leases = database.GetCollection<BsonDocument>("leases");

    public async Task<CheckpointLease> ReadAsync(CancellationToken cancellationToken = default)
    {
        var found = await _leases.Find(Filter()).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? CheckpointLease.Free : CheckpointFields.Lease(found[0]) ?? CheckpointLease.Free;
    }

    /// <summary>Takes the lease when it is free or expired; null when another node holds it (or won the race).</summary>
    public async Task<CheckpointFence?> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var observed = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        if (observed.IsHeld(now) && observed.Owner != owner) return null;
        var filter = Filter();
        filter.Add("lease.counter", LeaseTable.IsCounter(observed.Counter));
        var counter = observed.Counter + 1;
        var update = new BsonDocument
        {
            { "$set", new BsonDocument { { "lease.owner", owner }, { "lease.counter", counter }, { "lease.expiresAt", LeaseTable.Date(now + duration) } } },
        };
        try
        {
            return await CheckpointStore.UpdateOneAsync(_leases, filter, update, upsert: true, cancellationToken).ConfigureAwait(false) > 0
                ? new CheckpointFence(owner, counter)
                : null;
        }
        catch (MongoBulkWriteException<BsonDocument> e) when (e.WriteErrors.Any(w => w.Code == 11000))
        {
            return null; // the document exists with another counter: someone else took the lease first
        }
    }

    public Task<bool> RenewAsync(CheckpointFence fence, TimeSpan duration, CancellationToken cancellationToken = default) =>
        UpdateHeldAsync(fence, new BsonDocument { { "lease.expiresAt", LeaseTable.Date(_clock.GetUtcNow() + duration) } }, cancellationToken);

    public Task<bool> ReleaseAsync(CheckpointFence fence, CancellationToken cancellationToken = default) =>
        UpdateHeldAsync(fence, new BsonDocument { { "lease.owner", BsonNull.Value }, { "lease.expiresAt", BsonNull.Value } }, cancellationToken);

    private async Task<bool> UpdateHeldAsync(CheckpointFence fence, BsonDocument set, CancellationToken cancellationToken)
    {
        var filter = Filter();
        filter.Add("lease.owner", fence.Owner);
        filter.Add("lease.counter", fence.Counter);
        return await CheckpointStore.UpdateOneAsync(_leases, filter, new BsonDocument { { "$set", set } }, upsert: false, cancellationToken).ConfigureAwait(false) > 0;
    }

    private static BsonDocument Filter() => new() { { "_id", DocumentId } };
}
