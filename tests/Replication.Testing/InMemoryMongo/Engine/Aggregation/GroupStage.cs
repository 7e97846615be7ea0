using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Aggregation;

/// <summary>$group by an expression with the accumulators $sum, $avg, $min, $max, $first, $last, $push, $addToSet, $count.</summary>
public static class GroupStage
{
    public static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> Compile(BsonValue spec)
    {
        if (spec is not BsonDocument group || group.GetOrNull("_id") is not { } idExpression)
            throw new MongoCommandException(MongoErrorCode.Location15955, "a group specification must include an _id");
        var key = Expression.Compile(idExpression);
        var accumulators = new List<(string Name, string Op, Func<BsonDocument, BsonValue?> Arg)>();
        foreach (var (name, value) in group)
        {
            if (name == "_id") continue;
            if (value is not BsonDocument { ElementCount: 1 } acc)
                throw new MongoCommandException(MongoErrorCode.Location40234, $"The field '{name}' must be an accumulator object");
            var (op, arg) = acc.GetElement(0);
            if (op is not ("$sum" or "$avg" or "$min" or "$max" or "$first" or "$last" or "$push" or "$addToSet" or "$count"))
                throw new MongoCommandException(MongoErrorCode.Location15952, $"unknown group operator '{op}'");
            accumulators.Add((name, op, op == "$count" ? _ => 1 : Expression.Compile(arg)));
        }
        return docs =>
        {
            var groups = new Dictionary<string, (BsonValue Id, List<BsonDocument> Members)>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var doc in docs)
            {
                var id = key(doc) ?? BsonNull.Value;
                var k = ValueKey.Of(id);
                if (!groups.TryGetValue(k, out var g))
                {
                    g = (id, []);
                    groups[k] = g;
                    order.Add(k);
                }
                g.Members.Add(doc);
            }
            return order.Select(k =>
            {
                var (id, members) = groups[k];
                var result = new BsonDocument { { "_id", id } };
                foreach (var (name, op, arg) in accumulators) result.Add(name, Accumulate(op, members.Select(arg).ToList()));
                return result;
            }).ToList();
        };
    }

    private static BsonValue Accumulate(string op, List<BsonValue?> values)
    {
        var present = values.Where(v => v is not null and not BsonNull).Select(v => v!).ToList();
        switch (op)
        {
            case "$sum":
            case "$count":
                return values.Where(v => v is not null && Numbers.IsNumber(v)).Aggregate((BsonValue)0, (a, v) => Numbers.Add(a, v!));
            case "$avg":
                var numbers = present.Where(Numbers.IsNumber).ToList();
                return numbers.Count == 0 ? BsonNull.Value : new BsonDouble(numbers.Average(Numbers.ToDouble));
            case "$min": return present.Count == 0 ? BsonNull.Value : present.Min(BsonValueComparer.Instance)!;
            case "$max": return present.Count == 0 ? BsonNull.Value : present.Max(BsonValueComparer.Instance)!;
            case "$first": return values.FirstOrDefault() ?? BsonNull.Value;
            case "$last": return values.LastOrDefault() ?? BsonNull.Value;
            case "$push": return new BsonArray(values.Where(v => v is not null).Select(v => v!));
            default: return new BsonArray(present.Distinct(BsonValueComparer.Instance));
        }
    }
}
