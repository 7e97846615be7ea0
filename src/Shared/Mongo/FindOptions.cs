using Replication.Bson;

namespace Replication.Mongo;

public sealed record FindOptions
{
    public BsonDocument? Sort { get; init; }
    public BsonDocument? Projection { get; init; }
    public long? Limit { get; init; }
    public long? Skip { get; init; }
    /// <summary>Documents per server batch; also the most documents fetched per worker-thread trip.</summary>
    public int? BatchSize { get; init; }
    public BsonValue? Hint { get; init; }
    /// <summary>Any other <c>mongoc_collection_find_with_opts</c> option (e.g. <c>readConcern</c>, <c>noCursorTimeout</c>).</summary>
    public BsonDocument? Extra { get; init; }
}
