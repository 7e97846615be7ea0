using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Testing.Comparison;

/// <summary>
/// Source and target MongoDB namespaces compared with the driver alone, independently of the replication code: every
/// document of a source namespace must be in its target namespace byte for byte (field order included), and nothing else.
/// </summary>
public static class MongoNamespaceComparison
{
    /// <summary>The first difference found, or null when every pair matches.</summary>
    public static async Task<string?> DifferenceAsync(IMongoClient source, IMongoClient target, IReadOnlyDictionary<string, string> namespaces,
        CancellationToken cancellationToken = default)
    {
        foreach (var (from, to) in namespaces)
        {
            var sourceDocuments = await ReadAsync(source, from, cancellationToken).ConfigureAwait(false);
            var targetDocuments = await ReadAsync(target, to, cancellationToken).ConfigureAwait(false);
            var missing = sourceDocuments.Keys.Where(k => !targetDocuments.ContainsKey(k)).ToList();
            var extra = targetDocuments.Keys.Where(k => !sourceDocuments.ContainsKey(k)).ToList();
            var different = sourceDocuments.Keys.Where(k => targetDocuments.TryGetValue(k, out var t) && !t.AsSpan().SequenceEqual(sourceDocuments[k])).ToList();
            if (missing.Count + extra.Count + different.Count > 0)
                return $"{from} → {to}: {sourceDocuments.Count} vs {targetDocuments.Count} documents; missing [{string.Join(", ", missing.Take(5))}], " +
                       $"extra [{string.Join(", ", extra.Take(5))}], different [{string.Join(", ", different.Take(5))}]";
        }
        return null;
    }

    /// <summary>Polls until the namespaces match or <paramref name="timeout"/> passes; returns the last difference (null = equal).</summary>
    public static async Task<string?> WaitUntilEqualAsync(IMongoClient source, IMongoClient target, IReadOnlyDictionary<string, string> namespaces,
        TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? difference;
        while ((difference = await DifferenceAsync(source, target, namespaces, cancellationToken).ConfigureAwait(false)) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        return difference;
    }

    private static async Task<Dictionary<string, byte[]>> ReadAsync(IMongoClient client, string ns, CancellationToken cancellationToken)
    {
        var dot = ns.IndexOf('.');
        var collection = client.GetDatabase(ns[..dot]).GetCollection<RawBsonDocument>(ns[(dot + 1)..]);
        var documents = await collection.Find(FilterDefinition<RawBsonDocument>.Empty).ToListAsync(cancellationToken).ConfigureAwait(false);
        // Keyed by the _id's extended JSON, so 5 and "5" stay apart.
        return documents.ToDictionary(d => d["_id"].ToJson(), d => d.ToBson());
    }
}
