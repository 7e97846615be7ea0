namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>What a change stream watches: one collection, one database (aggregate: 1), or the whole cluster (admin, allChangesForCluster).</summary>
public sealed record ChangeStreamScope(string? Database, string? Collection)
{
    public static ChangeStreamScope Cluster { get; } = new(null, null);

    public string Namespace => Database is null ? "admin.$cmd.aggregate" : Collection is null ? $"{Database}.$cmd.aggregate" : $"{Database}.{Collection}";

    public bool Includes(ChangeEvent e) =>
        Database is null
            ? e.Database is not ("admin" or "config" or "local")
            : e.Database == Database && (Collection is null || e.Collection is null || e.Collection == Collection);

    /// <summary>
    /// Whether <paramref name="e"/> ends this stream: a collection stream ends when its collection is dropped or
    /// renamed away, a database stream when its database is dropped; the cluster stream never ends.
    /// </summary>
    public bool IsInvalidatedBy(ChangeEvent e) => (Database, Collection) switch
    {
        (null, _) => false,
        (_, null) => e.OperationType == "dropDatabase" && e.Database == Database,
        _ => e.Database == Database && (e.OperationType is "drop" or "rename" && e.Collection == Collection || e.OperationType == "dropDatabase"),
    };
}
