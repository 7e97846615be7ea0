using MongoDB.Bson;

namespace Replication.Mongo;

public sealed record FindOptions
{
    public BsonDocument? Sort { get; init; }
    public BsonDocument? Projection { get; init; }
    public int? Limit { get; init; }
    public int? Skip { get; init; }
    /// <summary>Documents per server batch.</summary>
    public int? BatchSize { get; init; }
    public BsonValue? Hint { get; init; }
}
