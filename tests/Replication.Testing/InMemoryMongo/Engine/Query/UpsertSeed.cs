using Replication.Bson;

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
        if (seed["_id"] is { } id && seed.Elements[0].Key != "_id")
        {
            seed.Remove("_id");
            seed.Insert(0, "_id", id);
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
                BsonDocument d when d.Count > 0 && d.Elements[0].Key.StartsWith('$') => d.Count == 1 && d.Elements[0].Key == "$eq" ? d.Elements[0].Value : null,
                BsonRegularExpression => null,
                _ => value,
            };
            if (equal is not null) DocumentPaths.Set(seed, name, equal.DeepCopyValue());
        }
    }
}
