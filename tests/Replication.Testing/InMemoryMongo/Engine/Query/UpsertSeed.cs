using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// The document an upsert starts from: the filter's equality conditions (<c>{a: 1}</c>, <c>{a: {$eq: 1}}</c>, inside
/// <c>$and</c>), with dotted paths expanded, as MongoDB seeds an upserted document.
/// </summary>
public static class UpsertSeed
{
    public static BsonDocument FromFilter(BsonDocument? filter)
    {
        var seed = new BsonDocument();
        if (filter is not null) Collect(filter, seed);
        if (seed.GetOrNull("_id") is { } id && seed.GetElement(0).Name != "_id")
        {
            seed.Remove("_id");
            seed.InsertAt(0, new BsonElement("_id", id));
        }
        return seed;
    }

    private static void Collect(BsonDocument filter, BsonDocument seed)
    {
        foreach (var (name, value) in filter)
        {
            if (name == "$and" && value is BsonArray parts)
            {
                foreach (var part in parts.OfType<BsonDocument>()) Collect(part, seed);
                continue;
            }
            if (name.StartsWith('$')) continue;
            var equal = value switch
            {
                BsonDocument d when d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$') => d.ElementCount == 1 && d.GetElement(0).Name == "$eq" ? d.GetElement(0).Value : null,
                BsonRegularExpression => null,
                _ => value,
            };
            if (equal is not null) DocumentPaths.Set(seed, name, equal.DeepCopyValue());
        }
    }
}
