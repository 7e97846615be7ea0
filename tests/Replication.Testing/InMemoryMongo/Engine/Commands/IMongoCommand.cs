using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// A server command. Returns the reply's own fields; the engine adds <c>ok</c>, <c>operationTime</c> and
/// <c>$clusterTime</c>. Failures are thrown as <see cref="Errors.MongoCommandException"/>.
/// </summary>
public interface IMongoCommand
{
    /// <summary>The names this command answers to (first field of the command document), e.g. hello and isMaster.</summary>
    IReadOnlyList<string> Names { get; }

    BsonDocument Execute(CommandInvocation invocation);
}
