using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// One entry of the oplog-like change log. Holds what any change stream might need (post- and pre-images);
/// <see cref="ChangeEventRenderer"/> shapes it into the event document a given stream asked for.
/// </summary>
public sealed record ChangeEvent(
    long Position,
    BsonTimestamp ClusterTime,
    long WallTimeMs,
    string OperationType,
    string Database,
    string? Collection,
    BsonValue? DocumentId = null,
    BsonDocument? FullDocument = null,
    BsonDocument? FullDocumentBeforeChange = null,
    BsonDocument? UpdateDescription = null,
    string? ToDatabase = null,
    string? ToCollection = null,
    BsonDocument? OperationDescription = null)
{
    public ResumeToken Token => new(ClusterTime, Position);
    public ResumeToken InvalidateToken => new(ClusterTime, Position, IsInvalidate: true);

    /// <summary>DDL events MongoDB (6.0+) shows only to streams opened with showExpandedEvents.</summary>
    public bool IsExpanded => OperationType is "create" or "createIndexes" or "dropIndexes" or "modify";
}
