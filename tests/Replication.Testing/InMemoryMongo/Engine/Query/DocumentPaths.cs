using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// Writes at dotted paths, as update operators do: missing embedded documents are created, a numeric part indexes
/// into an array (padding with nulls), and a path through a scalar is PathNotViable (28).
/// </summary>
public static class DocumentPaths
{
    public static void Set(BsonDocument document, string path, BsonValue value)
    {
        var parts = path.Split('.');
        BsonValue current = document;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var part = parts[i];
            switch (current)
            {
                case BsonDocument d:
                    if (last)
                    {
                        d[part] = value;
                        return;
                    }
                    if (!d.TryGetValue(part, out var next))
                    {
                        next = new BsonDocument();
                        d.Add(part, next);
                    }
                    current = next;
                    break;
                case BsonArray a when int.TryParse(part, out var index) && index >= 0:
                    while (a.Count <= index) a.Add(BsonNull.Value);
                    if (last)
                    {
                        a[index] = value;
                        return;
                    }
                    if (a[index] is BsonNull)
                        a[index] = new BsonDocument();
                    current = a[index];
                    break;
                default:
                    throw new MongoCommandException(MongoErrorCode.PathNotViable,
                        $"Cannot create field '{part}' in element {{{parts[i - 1]}: {ShellFormat.Of(current)}}}");
            }
        }
    }

    /// <summary>Removes the field at the path (an array element becomes null, as $unset does); false if absent.</summary>
    public static bool Unset(BsonDocument document, string path)
    {
        var cut = path.LastIndexOf('.');
        var parent = cut < 0 ? document : FieldPath.GetExact(document, path[..cut]);
        var name = cut < 0 ? path : path[(cut + 1)..];
        switch (parent)
        {
            case BsonDocument d when d.Contains(name):
                d.Remove(name);
                return true;
            case BsonDocument:
                return false;
            case BsonArray a when int.TryParse(name, out var i) && i >= 0 && i < a.Count:
                a[i] = BsonNull.Value;
                return true;
            default: return false;
        }
    }
}
