namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>How the in-memory server presents itself and how much change history it keeps.</summary>
public sealed record MongoEngineOptions
{
    /// <summary>The replica set name reported by hello; drivers connecting with <c>replicaSet=</c> must match it.</summary>
    public string ReplicaSetName { get; init; } = "rs0";

    /// <summary>"host:port" of this server as the driver should reach it; the wire layer sets the port it bound.</summary>
    public string HostAndPort { get; init; } = "127.0.0.1:27017";

    /// <summary>How many change events the oplog-like log keeps; older ones are lost to resuming streams (code 286).</summary>
    public int ChangeLogCapacity { get; init; } = 1_000_000;

    /// <summary>How long a getMore on a change stream waits for events when the client sends no <c>maxTimeMS</c>.</summary>
    public TimeSpan DefaultAwaitTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The wire version hello reports (17 = MongoDB 6.0). Below 17 the server acts as MongoDB 5.0 does where it differs:
    /// a change stream asking for <c>showExpandedEvents</c> is refused (40415), so DDL events beyond drop/rename/dropDatabase
    /// are never shown.
    /// </summary>
    public int MaxWireVersion { get; init; } = ExpandedEventsWireVersion;

    /// <summary>MongoDB 6.0's wire version: the first with showExpandedEvents.</summary>
    public const int ExpandedEventsWireVersion = 17;

    /// <summary>A cursor left unused this long is closed (mongod's cursorTimeoutMillis, 10 minutes by default).</summary>
    public TimeSpan CursorIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
