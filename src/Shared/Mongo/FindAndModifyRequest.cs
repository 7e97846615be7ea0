using MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>
/// One findAndModify: either <see cref="Update"/> (an update document, or a replacement when its first field does
/// not start with <c>$</c>) or <see cref="Remove"/>.
/// </summary>
public sealed record FindAndModifyRequest(BsonDocument Filter)
{
    public BsonDocument? Update { get; init; }
    public bool Remove { get; init; }
    public bool Upsert { get; init; }
    /// <summary>Return the document as it is after the change (default: as it was before).</summary>
    public bool ReturnNew { get; init; }
    public BsonDocument? Sort { get; init; }
    public BsonDocument? Projection { get; init; }
}

/// <summary><see cref="Document"/> is null when nothing matched (and nothing was upserted with ReturnNew).</summary>
public sealed record FindAndModifyResult(BsonDocument? Document);
