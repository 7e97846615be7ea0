using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// Resolves a dotted path the way the query language does: through embedded documents, into array elements that
/// are documents, and by numeric position. A field absent from a document is reported as <c>null</c> (missing).
/// </summary>
public static class FieldPath
{
    public static List<BsonValue?> Resolve(BsonDocument document, string path)
    {
        var results = new List<BsonValue?>(1);
        if (!path.Contains('.'))
        {
            results.Add(document.TryGetValue(path, out var v) ? v : null);
            return results;
        }
        Collect(document, path.Split('.'), 0, results);
        return results;
    }

    private static void Collect(BsonValue current, string[] parts, int i, List<BsonValue?> results)
    {
        if (i == parts.Length)
        {
            results.Add(current);
            return;
        }
        switch (current)
        {
            case BsonDocument d:
                if (d.TryGetValue(parts[i], out var child)) Collect(child, parts, i + 1, results);
                else results.Add(null);
                break;
            case BsonArray a:
                if (int.TryParse(parts[i], out var index) && index >= 0)
                {
                    if (index < a.Count) Collect(a[index], parts, i + 1, results);
                }
                foreach (var element in a)
                    if (element is BsonDocument) Collect(element, parts, i, results);
                break;
        }
    }

    /// <summary>The single value at an exact path (no array traversal except numeric positions), or null.</summary>
    public static BsonValue? GetExact(BsonDocument document, string path)
    {
        BsonValue current = document;
        foreach (var part in path.Split('.'))
        {
            switch (current)
            {
                case BsonDocument d when d.TryGetValue(part, out var v): current = v; break;
                case BsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count: current = a[i]; break;
                default: return null;
            }
        }
        return current;
    }
}
