using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// hello / isMaster: presents a one-node replica set whose only member is a writable primary. Like MongoDB 4.4+ it
/// sends a <c>topologyVersion</c>, so drivers monitor it with the streaming (awaitable) hello; the wire layer holds
/// such a hello for its maxAwaitTimeMS, since a one-node topology never changes.
/// </summary>
public sealed class HelloCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["hello", "isMaster", "ismaster"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var instance = invocation.Instance;
        var options = instance.Options;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var lastWrite = instance.Clock.Current;
        var legacy = invocation.Name != "hello";
        var reply = new BsonDocument
        {
            { legacy ? "ismaster" : "isWritablePrimary", true },
            { "hosts", new BsonArray { options.HostAndPort } },
            { "setName", options.ReplicaSetName },
            { "setVersion", 1 },
            { "secondary", false },
            { "primary", options.HostAndPort },
            { "me", options.HostAndPort },
            { "electionId", instance.ElectionId },
            { "lastWrite", new BsonDocument
                {
                    { "opTime", new BsonDocument { { "ts", lastWrite }, { "t", 1L } } },
                    { "lastWriteDate", new BsonDateTime((uint)lastWrite.Timestamp * 1000L) },
                    { "majorityOpTime", new BsonDocument { { "ts", lastWrite }, { "t", 1L } } },
                    { "majorityWriteDate", new BsonDateTime((uint)lastWrite.Timestamp * 1000L) },
                }
            },
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", new BsonDateTime(now) },
            { "logicalSessionTimeoutMinutes", 30 },
            // mongod appends its 64-bit connection id as the smallest number type that holds it.
            { "connectionId", invocation.Context.ConnectionId is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)invocation.Context.ConnectionId) : new BsonInt64(invocation.Context.ConnectionId) },
            { "minWireVersion", 0 },
            { "maxWireVersion", options.MaxWireVersion },
            { "readOnly", false },
            { "topologyVersion", new BsonDocument { { "processId", instance.ProcessId }, { "counter", 0L } } },
        };
        // A client that says helloOk on the legacy isMaster may switch to hello for the rest of the connection.
        if (invocation.Command.GetOrNull("helloOk") is BsonBoolean { Value: true }) reply["helloOk"] = true;
        return reply;
    }
}
