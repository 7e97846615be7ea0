using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// Deep copies of the mutable parts of the value model (documents and arrays). Stored documents are never changed
/// in place — an update edits a copy and swaps it in — so readers can hold stored documents without locks.
/// </summary>
public static class BsonCopy
{
    public static BsonDocument DeepCopy(this BsonDocument document)
    {
        var copy = new BsonDocument();
        foreach (var (name, value) in document) copy.Add(name, DeepCopyValue(value));
        return copy;
    }

    public static BsonValue DeepCopyValue(this BsonValue value) => value switch
    {
        BsonDocument d => d.DeepCopy(),
        BsonArray a => new BsonArray(a.Select(DeepCopyValue)),
        _ => value,
    };
}
