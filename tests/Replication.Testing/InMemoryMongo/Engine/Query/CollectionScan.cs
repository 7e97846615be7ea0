using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// Finds the documents of a collection that match a filter, in natural order. A filter on a plain <c>_id</c> value
/// is answered from the <c>_id</c> index (replication upserts and deletes by <c>_id</c>); anything else scans.
/// Call under the database's gate.
/// </summary>
public static class CollectionScan
{
    public static List<BsonDocument> Matching(Collection collection, BsonDocument? filter, int limit = 0)
    {
        var matcher = FilterMatcher.Compile(filter);
        if (filter is not null && IdEquality(filter) is { } id)
        {
            var doc = collection.FindById(id);
            return doc is not null && matcher.Matches(doc) ? [doc] : [];
        }
        var result = new List<BsonDocument>();
        foreach (var doc in collection.Snapshot())
        {
            if (!matcher.Matches(doc)) continue;
            result.Add(doc);
            if (limit > 0 && result.Count >= limit) break;
        }
        return result;
    }

    /// <summary>The _id value when the filter pins _id to one non-array, non-operator value.</summary>
    private static BsonValue? IdEquality(BsonDocument filter)
    {
        if (!filter.TryGetValue("_id", out var id)) return null;
        if (id is BsonDocument d && d.ElementCount == 1 && d.GetElement(0).Name == "$eq") id = d.GetElement(0).Value;
        return id switch
        {
            BsonDocument doc when doc.ElementCount > 0 && doc.GetElement(0).Name.StartsWith('$') => null,
            BsonArray or BsonRegularExpression or BsonNull or BsonMinKey or BsonMaxKey => null,
            _ => id,
        };
    }
}
