using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>endSessions (and session refresh/kill): sessions carry no server state here, so there is nothing to end.</summary>
public sealed class EndSessionsCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["endSessions", "refreshSessions", "killSessions", "killAllSessions"];

    public BsonDocument Execute(CommandInvocation invocation) => [];
}
