namespace Replication.Coordinator.Discovery;

/// <summary>A MongoDB namespace: a database and one of its collections.</summary>
public readonly record struct MongoNamespace(string Database, string Collection)
{
    public override string ToString() => $"{Database}.{Collection}";
}

/// <summary>
/// Which source namespaces a MongoDB → MongoDB replication copies, and where each goes. Patterns of
/// <c>filter.include/exclude</c> are <c>db</c> (every collection of the database) or <c>db.collection</c>, split at the
/// first '.', with <c>*</c> matching any run of characters; a namespace must match an include and no exclude pattern.
/// System databases (admin, local, config) and <c>system.*</c> collections are never selected: they belong to the
/// deployment. <c>transform.rename</c> maps a whole database (<c>"db" = "db2"</c>) or one namespace
/// (<c>"db.coll" = "db2.coll2"</c>, or <c>"coll2"</c> to keep the database); the namespace's rule wins.
/// </summary>
public sealed class NamespaceSelection(IReadOnlyList<string> include, IReadOnlyList<string> exclude, IReadOnlyDictionary<string, string> renames)
{
    private static readonly HashSet<string> SystemDatabases = new(["admin", "local", "config"], StringComparer.Ordinal);

    public static bool IsSystem(MongoNamespace ns) =>
        SystemDatabases.Contains(ns.Database) || ns.Collection.StartsWith("system.", StringComparison.Ordinal);

    /// <summary>Whether any collection of <paramref name="database"/> can be selected, so it is worth listing.</summary>
    public bool MayInclude(string database) =>
        !SystemDatabases.Contains(database)
        && include.Any(p => Split(p).Database is var db && TableFilter.WildcardMatches(db, database))
        && !exclude.Any(p => !p.Contains('.') && TableFilter.WildcardMatches(p, database));

    public bool Includes(MongoNamespace ns) =>
        !IsSystem(ns) && include.Any(p => Matches(p, ns)) && !exclude.Any(p => Matches(p, ns));

    /// <summary>The target namespace of <paramref name="source"/>: renamed by the most specific rule, else the same.</summary>
    public MongoNamespace TargetFor(MongoNamespace source)
    {
        var database = renames.TryGetValue(source.Database, out var renamedDatabase) && !renamedDatabase.Contains('.') ? renamedDatabase : source.Database;
        if (!renames.TryGetValue(source.ToString(), out var renamed)) return source with { Database = database };
        var dot = renamed.IndexOf('.');
        return dot < 0 ? new MongoNamespace(database, renamed) : new MongoNamespace(renamed[..dot], renamed[(dot + 1)..]);
    }

    private static bool Matches(string pattern, MongoNamespace ns)
    {
        var (database, collection) = Split(pattern);
        return database.Length > 0 && TableFilter.WildcardMatches(database, ns.Database)
               && (collection is null || TableFilter.WildcardMatches(collection, ns.Collection));
    }

    // Database names cannot hold '.', collection names can: the first '.' separates them.
    private static (string Database, string? Collection) Split(string pattern)
    {
        var dot = pattern.IndexOf('.');
        return dot < 0 ? (pattern, null) : (pattern[..dot], pattern[(dot + 1)..]);
    }
}
