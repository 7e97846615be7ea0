namespace Replication.Mongo;

public sealed record MongoClientOptions
{
    /// <summary>Connections per server in the driver's pool. Null: the connection string's <c>maxPoolSize</c>, else the driver's 100.</summary>
    public int? MaxPoolSize { get; init; }

    /// <summary>Sent to the server in the handshake, shown in its logs and currentOp (unless the connection string sets <c>appName</c>).</summary>
    public string? ApplicationName { get; init; } = "replication";
}
