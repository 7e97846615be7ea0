namespace Replication.Mongo;

public sealed record MongoClientOptions
{
    /// <summary>
    /// Clients in the libmongoc pool, i.e. operations in flight at once (cursors and change streams each hold one
    /// while open). Null: the connection string's <c>maxPoolSize</c>, else libmongoc's default of 100.
    /// </summary>
    public int? MaxPoolSize { get; init; }

    /// <summary>Threads that make the blocking libmongoc calls; null means one per pooled client (started on demand).</summary>
    public int? WorkerThreads { get; init; }

    /// <summary>Sent to the server in the handshake, shown in its logs and currentOp.</summary>
    public string? ApplicationName { get; init; } = "replication";
}
