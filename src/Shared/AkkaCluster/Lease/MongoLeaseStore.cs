using MongoDB.Bson;
using Replication.Checkpoints;
using MongoDB.Driver;

namespace Replication.AkkaCluster.Lease;

/// <summary>One lease as stored: who holds it, its fencing counter, and the database's own times for its expiry.</summary>
/// <param name="Counter">Raised by one on every change of holder (take and release); never lowered, never reset.</param>
/// <param name="RenewedAt">The database's clock when the holder last took or renewed it; null when never held.</param>
/// <param name="ObservedAt">The database's clock when this record was read.</param>
public sealed record MongoLeaseRecord(string Name, string? Owner, long Counter, DateTimeOffset? RenewedAt, TimeSpan Timeout, DateTimeOffset ObservedAt)
{
    /// <summary>Free, or not renewed within its holder's own timeout — both times are the database's, so node clocks never matter.</summary>
    public bool IsTakeable => Owner is null || RenewedAt is not { } renewed || ObservedAt - renewed >= Timeout;
}

/// <summary>
/// The lease documents in the checkpoint database, one per lease name:
/// <c>{ _id: name, owner, counter, renewedAt, timeoutMs, observedAt }</c>. Every change is a single conditional write, so
/// two nodes racing for one lease cannot both win. Times come from the database (<c>$currentDate</c>), never a node.
/// </summary>
public sealed class MongoLeaseStore(IMongoCollection<BsonDocument> leases)
{
    public const string DefaultCollection = "akka-leases";

    /// <summary>Reads a lease and stamps the database's current time on it (creating it free, counter 0, if new).</summary>
    public async Task<MongoLeaseRecord> ObserveAsync(string name, CancellationToken cancellationToken)
    {
        var result = await leases.FindOneAndUpdateAsync<BsonDocument>(ById(name),
            new BsonDocument
            {
                { "$setOnInsert", new BsonDocument { { "owner", BsonNull.Value }, { "counter", 0L } } },
                { "$currentDate", new BsonDocument { { "observedAt", true } } },
            },
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After }, cancellationToken).ConfigureAwait(false);
        var document = result ?? throw new InvalidOperationException($"findAndModify with upsert returned no lease '{name}'");
        return Record(name, document);
    }

    /// <summary>Takes the lease as <paramref name="owner"/> if it is still exactly as observed; the new counter, or null if it changed.</summary>
    public async Task<long?> TryTakeAsync(MongoLeaseRecord observed, string owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var filter = ById(observed.Name);
        filter.Add("counter", observed.Counter);
        // A renewal between observing and taking moves renewedAt: then the holder is alive and the take must fail.
        filter.Add("renewedAt", observed.RenewedAt is { } renewed ? new BsonDateTime(renewed.ToUnixTimeMilliseconds()) : BsonNull.Value);
        var counter = observed.Counter + 1;
        var update = new BsonDocument
        {
            { "$set", new BsonDocument { { "owner", owner }, { "counter", counter }, { "timeoutMs", (long)timeout.TotalMilliseconds } } },
            { "$currentDate", new BsonDocument { { "renewedAt", true } } },
        };
        return await UpdateAsync(filter, update, cancellationToken).ConfigureAwait(false) ? counter : null;
    }

    /// <summary>Moves the expiry on while <paramref name="owner"/> still holds <paramref name="counter"/>; false once it was taken.</summary>
    public Task<bool> RenewAsync(string name, string owner, long counter, CancellationToken cancellationToken) =>
        UpdateAsync(Held(name, owner, counter), new BsonDocument { { "$currentDate", new BsonDocument { { "renewedAt", true } } } }, cancellationToken);

    /// <summary>Frees the lease, raising the counter so nothing fenced by the old one is accepted; false if it was not held.</summary>
    public Task<bool> ReleaseAsync(string name, string owner, long counter, CancellationToken cancellationToken) =>
        UpdateAsync(Held(name, owner, counter), new BsonDocument
        {
            { "$set", new BsonDocument { { "owner", BsonNull.Value }, { "counter", counter + 1 }, { "renewedAt", BsonNull.Value } } },
        }, cancellationToken);

    private async Task<bool> UpdateAsync(BsonDocument filter, BsonDocument update, CancellationToken cancellationToken)
    {
        var result = await leases.FindOneAndUpdateAsync<BsonDocument>(filter, update, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result is not null;
    }

    private static BsonDocument ById(string name) => new() { { "_id", name } };

    private static BsonDocument Held(string name, string owner, long counter) =>
        new() { { "_id", name }, { "owner", owner }, { "counter", counter } };

    private static MongoLeaseRecord Record(string name, BsonDocument document) => new(
        name,
        CheckpointFields.String(document, "owner"),
        CheckpointFields.Long(document, "counter"),
        CheckpointFields.Time(document, "renewedAt"),
        TimeSpan.FromMilliseconds(CheckpointFields.Long(document, "timeoutMs")),
        CheckpointFields.Time(document, "observedAt") ?? throw new InvalidOperationException($"lease '{name}' has no observedAt after $currentDate"));
}
