namespace Replication.Coordinator.Discovery;

/// <summary>A MongoDB namespace: a database and one of its collections.</summary>
public readonly record struct MongoNamespace(string Database, string Collection)
{
    public override string ToString() => $"{Database}.{Collection}";
}

/// <summary>
/// Which source namespaces a MongoDB → MongoDB replication copies, and where each goes: <c>filter.include/exclude</c>
/// patterns (a pattern without '.' names whole databases, one with '.' is matched against <c>db.collection</c>;
/// <c>*</c> matches any run of characters) and <c>transform.rename</c> (<c>"db.coll" = "db2.coll2"</c> for one
/// collection, <c>"db" = "db2"</c> for a whole database; the collection's own rule wins). System databases
/// (admin, local, config) and <c>system.*</c> collections are never selected: they belong to the deployment.
/// </summary>
public sealed class NamespaceSelection(IReadOnlyList<string> include, IReadOnlyList<string> exclude, IReadOnlyDictionary<string, string> renames)
{
    private static readonly HashSet<string> SystemDatabases = new(["admin", "local", "config"], StringComparer.Ordinal);

    public bool IsSystem(MongoNamespace ns) =>
        SystemDatabases.Contains(ns.Database) || ns.Collection.StartsWith("system.", StringComparison.Ordinal);

    public bool Includes(MongoNamespace ns) =>
        !IsSystem(ns) && include.Any(p => Matches(p, ns)) && !exclude.Any(p => Matches(p, ns));

    /// <summary>The target namespace of <paramref name="source"/>: renamed by the most specific rule, else the same.</summary>
    public MongoNamespace TargetFor(MongoNamespace source)
    {
        if (renames.TryGetValue(source.ToString(), out var whole))
        {
            var dot = whole.IndexOf('.');
            if (dot <= 0 || dot == whole.Length - 1)
                throw new InvalidOperationException(
                    $"replication.transform.rename maps '{source}' to '{whole}', which is not a namespace: write \"database.collection\"");
            return new MongoNamespace(whole[..dot], whole[(dot + 1)..]);
        }
        return renames.TryGetValue(source.Database, out var database) ? source with { Database = database } : source;
    }

    private static bool Matches(string pattern, MongoNamespace ns) =>
        pattern.Contains('.') || pattern == "*"
            ? TableFilter.WildcardMatches(pattern, ns.ToString())
            : TableFilter.WildcardMatches(pattern, ns.Database);
}
