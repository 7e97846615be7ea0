using MongoDB.Bson;

namespace Replication.Mongo;

public sealed record BulkWriteResult(
    long InsertedCount,
    long MatchedCount,
    long ModifiedCount,
    long DeletedCount,
    long UpsertedCount,
    IReadOnlyList<BulkWriteUpsert> Upserts)
{
    public static readonly BulkWriteResult Empty = new(0, 0, 0, 0, 0, []);
}

/// <summary>An item that upserted: its position in the request list and the new document's <c>_id</c>.</summary>
public sealed record BulkWriteUpsert(int Index, BsonValue Id);
