using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// The result of applying an update to one document: the new document, whether anything changed, and (for operator
/// updates) the change stream's <c>updateDescription</c>; null description means a replacement.
/// </summary>
public sealed record UpdateOutcome(BsonDocument Document, bool Changed, BsonDocument? UpdateDescription);
