using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>buildInfo: reports MongoDB 6.0.0, the version whose wire protocol (17) and replies this engine follows.</summary>
public sealed class BuildInfoCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["buildInfo", "buildinfo"];

    public BsonDocument Execute(CommandInvocation invocation) => new()
    {
        { "version", "6.0.0" },
        { "gitVersion", "in-memory" },
        { "versionArray", new BsonArray { 6, 0, 0, 0 } },
        { "bits", 64 },
        { "debug", false },
        { "maxBsonObjectSize", 16 * 1024 * 1024 },
        { "storageEngines", new BsonArray { "inMemory" } },
        { "modules", new BsonArray() },
        { "javascriptEngine", "none" },
    };
}
