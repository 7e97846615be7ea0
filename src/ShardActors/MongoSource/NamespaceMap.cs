using MongoDB.Driver;
using Replication.Configuration;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// Which source namespaces a MongoDB source replicates and what they are called on the target. Patterns are
/// <c>db</c> (every collection of the database) or <c>db.collection</c>, with <c>*</c> matching any run of
/// characters; a namespace must match an include pattern and no exclude pattern. admin, local, config and
/// <c>system.*</c> collections are never selected. Renames map a whole database (<c>"db" = "db2"</c>) or one
/// namespace (<c>"db.coll" = "db2.coll2"</c>, or just <c>"coll2"</c> to keep the database); the namespace rule wins.
/// The one implementation of these rules: the replication and <c>replication verify</c> both use it.
/// </summary>
public sealed class NamespaceMap
{
    private static readonly HashSet<string> SystemDatabases = ["admin", "local", "config"];
    private readonly IReadOnlyList<string> _include;
    private readonly IReadOnlyList<string> _exclude;
    private readonly IReadOnlyDictionary<string, string> _renames;

    public NamespaceMap(IEnumerable<string> include, IEnumerable<string> exclude, IReadOnlyDictionary<string, string> renames)
    {
        _include = include.ToArray();
        _exclude = exclude.ToArray();
        _renames = renames;
    }

    public static bool IsSystemDatabase(string database) => SystemDatabases.Contains(database);

    /// <summary>Whether any collection of <paramref name="database"/> can be selected (so it is worth listing).</summary>
    public bool MayInclude(string database) =>
        !IsSystemDatabase(database)
        && _include.Any(p => Pattern(p, out var db, out _) && Wildcard.Matches(db, database))
        && !_exclude.Any(p => !p.Contains('.') && Wildcard.Matches(p, database));

    public bool Includes(CollectionNamespace ns) => Includes(ns.DatabaseNamespace.DatabaseName, ns.CollectionName);

    public bool Includes(string database, string collection)
    {
        if (IsSystemDatabase(database) || collection.StartsWith("system.", StringComparison.Ordinal)) return false;
        return _include.Any(p => Matches(p, database, collection)) && !_exclude.Any(p => Matches(p, database, collection));
    }

    /// <summary>The target namespace of a source namespace.</summary>
    public CollectionNamespace Target(CollectionNamespace source)
    {
        var database = source.DatabaseNamespace.DatabaseName;
        var collection = source.CollectionName;
        if (_renames.TryGetValue($"{database}.{collection}", out var renamed))
        {
            var dot = renamed.IndexOf('.');
            return dot < 0 ? new CollectionNamespace(TargetDatabase(database), renamed) : new CollectionNamespace(renamed[..dot], renamed[(dot + 1)..]);
        }
        return new CollectionNamespace(TargetDatabase(database), collection);
    }

    /// <summary>The target database of a source database (its whole-database rename, or the same name).</summary>
    public string TargetDatabase(string database) => _renames.TryGetValue(database, out var renamed) && !renamed.Contains('.') ? renamed : database;

    private static bool Matches(string pattern, string database, string collection) =>
        Pattern(pattern, out var db, out var coll) && Wildcard.Matches(db, database) && (coll is null || Wildcard.Matches(coll, collection));

    /// <summary>Splits "db.coll" at its first dot (collection names may hold dots, database names may not).</summary>
    private static bool Pattern(string pattern, out string database, out string? collection)
    {
        var dot = pattern.IndexOf('.');
        database = dot < 0 ? pattern : pattern[..dot];
        collection = dot < 0 ? null : pattern[(dot + 1)..];
        return database.Length > 0;
    }
}
