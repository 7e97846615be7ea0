namespace Replication.Coordinator.Discovery;

/// <summary>
/// Maps a source table to its target collection: the name itself unless <c>transform.rename</c> says otherwise.
/// Rejects names MongoDB cannot hold — bad characters, or a namespace (<c>database.collection</c>) over MongoDB's
/// 255 bytes — naming the table and the fix, at discovery instead of later inside a bulk write.
/// </summary>
public sealed class CollectionNaming(IReadOnlyDictionary<string, string> renames, string? database = null)
{
    /// <summary>MongoDB's limit on a namespace, <c>database.collection</c>, in UTF-8 bytes.</summary>
    public const int MaxNamespaceBytes = 255;

    public static CollectionNaming Identity { get; } = new(new Dictionary<string, string>());

    public string CollectionFor(string table)
    {
        var name = renames.TryGetValue(table, out var renamed) ? renamed : table;
        var problem = ProblemWith(name) ?? NamespaceProblem(name);
        if (problem is not null)
        {
            var origin = ReferenceEquals(name, renamed) ? $"replication.transform.rename maps table '{table}' to '{name}'" : $"table '{table}'";
            throw new InvalidOperationException(
                $"{origin}, which is not a valid MongoDB collection name: {problem}. " +
                $"Add a rename, e.g. replication.transform.rename {{ \"{table}\" = \"{Suggest(table, MaxCollectionBytes)}\" }}.");
        }
        return name;
    }

    /// <summary>Why <paramref name="name"/> cannot be a collection name, or null when it can.</summary>
    public static string? ProblemWith(string name)
    {
        if (name.Length == 0) return "it is empty";
        if (name.Contains('\0')) return "it contains a NUL character";
        if (name.Contains('$')) return "it contains '$'";
        if (name.StartsWith("system.", StringComparison.Ordinal)) return "names starting with 'system.' are reserved";
        if (name.StartsWith('.') || name.EndsWith('.')) return "it starts or ends with '.'";
        return null;
    }

    private int MaxCollectionBytes => database is null ? MaxNamespaceBytes : MaxNamespaceBytes - System.Text.Encoding.UTF8.GetByteCount(database) - 1;

    private string? NamespaceProblem(string name)
    {
        if (database is null) return null;
        var bytes = System.Text.Encoding.UTF8.GetByteCount(database) + 1 + System.Text.Encoding.UTF8.GetByteCount(name);
        return bytes > MaxNamespaceBytes
            ? $"the namespace '{database}.{name[..Math.Min(name.Length, 40)]}…' is {bytes} bytes, over MongoDB's limit of {MaxNamespaceBytes}"
            : null;
    }

    private static string Suggest(string table, int maxBytes)
    {
        var s = table.Replace("$", "_").Replace("\0", "").Trim('.');
        if (s.StartsWith("system.", StringComparison.Ordinal)) s = "sys_" + s["system.".Length..];
        while (s.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(s) > maxBytes) s = s[..^1];
        return s.Length == 0 ? "collection" : s;
    }
}
