using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

public sealed class PingCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["ping"];

    public BsonDocument Execute(CommandInvocation invocation) => [];
}
