using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>serverStatus: the identity sections (host, version, uptime, connections, cursors), enough for monitoring probes.</summary>
public sealed class ServerStatusCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["serverStatus"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var instance = invocation.Instance;
        var uptime = DateTimeOffset.UtcNow - instance.StartedAt;
        return new BsonDocument
        {
            { "host", instance.Options.HostAndPort },
            { "version", "6.0.0" },
            { "process", "mongod" },
            { "pid", (long)Environment.ProcessId },
            { "uptime", Math.Floor(uptime.TotalSeconds) },
            { "uptimeMillis", (long)uptime.TotalMilliseconds },
            { "localTime", new BsonDateTime(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) },
            { "storageEngine", new BsonDocument { { "name", "inMemory" }, { "persistent", false } } },
            { "metrics", new BsonDocument
                {
                    { "cursor", new BsonDocument { { "open", new BsonDocument { { "total", (long)instance.Cursors.Count } } } } },
                }
            },
        };
    }
}
