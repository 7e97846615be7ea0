using MongoDB.Bson;

namespace Replication.Mongo;

public sealed record ChangeStreamOptions
{
    /// <summary>Stages after <c>$changeStream</c> (e.g. a <c>$match</c> on <c>ns</c> or <c>operationType</c>).</summary>
    public BsonArray? Pipeline { get; init; }
    /// <summary>A resume token (an event's <c>_id</c> or <see cref="MongoChangeStream.ResumeToken"/>) to continue after.</summary>
    public BsonDocument? ResumeAfter { get; init; }
    /// <summary>Like <see cref="ResumeAfter"/> but also past an invalidate event.</summary>
    public BsonDocument? StartAfter { get; init; }
    public BsonTimestamp? StartAtOperationTime { get; init; }
    /// <summary><c>default</c>, <c>updateLookup</c>, <c>whenAvailable</c> or <c>required</c>.</summary>
    public string? FullDocument { get; init; }
    public string? FullDocumentBeforeChange { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>How long the server holds an empty getMore before answering with an empty batch.</summary>
    public long? MaxAwaitTimeMS { get; init; }
}
