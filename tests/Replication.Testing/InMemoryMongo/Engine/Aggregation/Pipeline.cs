using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Aggregation;

/// <summary>
/// An aggregation pipeline compiled into one function over a document sequence. Stages: $match, $sort, $skip,
/// $limit, $project, $addFields/$set, $unset, $count, $group, $unwind, $replaceRoot/$replaceWith.
/// </summary>
public sealed class Pipeline
{
    private readonly List<Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>>> _stages = [];

    public Pipeline(IEnumerable<BsonValue> stages)
    {
        foreach (var stage in stages) _stages.Add(CompileStage(stage));
    }

    public IEnumerable<BsonDocument> Run(IEnumerable<BsonDocument> input) => _stages.Aggregate(input, (docs, stage) => stage(docs));

    private static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> CompileStage(BsonValue stage)
    {
        if (stage is not BsonDocument { ElementCount: 1 } d)
            throw new MongoCommandException(MongoErrorCode.Location40323, "A pipeline stage specification object must contain exactly one field.");
        var (name, spec) = d.GetElement(0);
        switch (name)
        {
            case "$match":
            {
                var matcher = FilterMatcher.Compile(spec as BsonDocument ?? throw MongoCommandException.BadValue("the match filter must be an expression in an object"));
                return docs => docs.Where(matcher.Matches);
            }
            case "$sort":
            {
                var sort = new SortSpec(spec as BsonDocument ?? throw MongoCommandException.BadValue("the $sort key specification must be an object"));
                return docs => sort.Sort(docs);
            }
            case "$skip":
            {
                var n = NonNegative(name, spec);
                return docs => docs.Skip((int)Math.Min(n, int.MaxValue));
            }
            case "$limit":
            {
                var n = NonNegative(name, spec);
                if (n == 0) throw MongoCommandException.BadValue("the limit must be positive");
                return docs => docs.Take((int)Math.Min(n, int.MaxValue));
            }
            case "$count":
            {
                if (spec is not BsonString { Value.Length: > 0 } field || field.Value.StartsWith('$') || field.Value.Contains('.'))
                    throw MongoCommandException.BadValue("the count field must be a non-empty string, not start with '$' and not contain '.'");
                return docs =>
                {
                    var count = docs.Count();
                    return count == 0 ? [] : [new BsonDocument { { field.Value, count } }];
                };
            }
            case "$project":
                return ProjectStage(spec);
            case "$addFields":
            case "$set":
            {
                var fields = (spec as BsonDocument ?? throw MongoCommandException.BadValue($"{name} specification stage must be an object"))
                    .Select(f => (f.Name, Expression.Compile(f.Value))).ToList();
                return docs => docs.Select(doc =>
                {
                    var copy = doc.DeepCopy();
                    foreach (var (path, eval) in fields)
                        if (eval(doc) is { } v) DocumentPaths.Set(copy, path, v);
                    return copy;
                });
            }
            case "$unset":
            {
                var paths = spec is BsonString s ? [s.Value] : (spec as BsonArray ?? []).OfType<BsonString>().Select(p => p.Value).ToList();
                var projection = Projection.Parse(new BsonDocument(paths.Select(p => new BsonElement(p, 0))))!;
                return docs => docs.Select(projection.Apply);
            }
            case "$group":
                return GroupStage.Compile(spec);
            case "$unwind":
                return UnwindStage(spec);
            case "$replaceRoot":
            case "$replaceWith":
            {
                var expr = Expression.Compile(name == "$replaceRoot" ? (spec as BsonDocument)?.GetOrNull("newRoot") ?? BsonNull.Value : spec);
                return docs => docs.Select(doc => expr(doc) as BsonDocument
                    ?? throw new MongoCommandException(MongoErrorCode.Location40228, "'newRoot' expression must evaluate to an object"));
            }
            case "$changeStream":
                throw new MongoCommandException(MongoErrorCode.Location40602, "$changeStream is only valid as the first stage in a pipeline.");
            default:
                throw new MongoCommandException(MongoErrorCode.Location40324, $"Unrecognized pipeline stage name: '{name}'");
        }
    }

    private static long NonNegative(string stage, BsonValue spec) =>
        Numbers.IsNumber(spec) && Numbers.TryGetInt64(spec, out var n) && n >= 0
            ? n
            : throw MongoCommandException.BadValue($"invalid argument to {stage} stage: expected a non-negative number");

    private static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> ProjectStage(BsonValue spec)
    {
        if (spec is not BsonDocument fields || fields.ElementCount == 0)
            throw MongoCommandException.BadValue("$project requires at least one output field");
        var computed = fields.Where(f => !(Numbers.IsNumber(f.Value) || f.Value is BsonBoolean)).ToList();
        if (computed.Count == 0)
        {
            var projection = Projection.Parse(fields)!;
            return docs => docs.Select(projection.Apply);
        }
        // Computed fields make this an inclusion projection: included and computed fields, plus _id unless excluded.
        var includeId = !(fields.GetOrNull("_id") is { } id && (Numbers.IsNumber(id) || id is BsonBoolean) && !FilterMatcher.IsTruthy(id));
        var parts = fields.Where(f => f.Name != "_id" || !(Numbers.IsNumber(f.Value) || f.Value is BsonBoolean))
            .Select(f => (f.Name, Numbers.IsNumber(f.Value) || f.Value is BsonBoolean ? Expression.Compile("$" + f.Name) : Expression.Compile(f.Value)))
            .ToList();
        return docs => docs.Select(doc =>
        {
            var result = new BsonDocument();
            if (includeId && doc.GetOrNull("_id") is { } docId) result.Add("_id", docId);
            foreach (var (path, eval) in parts)
                if (eval(doc) is { } v) DocumentPaths.Set(result, path, v);
            return result;
        });
    }

    private static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> UnwindStage(BsonValue spec)
    {
        var path = spec switch
        {
            BsonString s => s.Value,
            BsonDocument d when d.GetOrNull("path") is BsonString p => p.Value,
            _ => throw MongoCommandException.BadValue("$unwind requires a path"),
        };
        if (!path.StartsWith('$')) throw MongoCommandException.BadValue("path option to $unwind stage should be prefixed with a '$'");
        var field = path[1..];
        var preserve = spec is BsonDocument o && o.GetOrNull("preserveNullAndEmptyArrays") is { } pv && FilterMatcher.IsTruthy(pv);
        return docs => docs.SelectMany(doc =>
        {
            var value = FieldPath.GetExact(doc, field);
            if (value is BsonArray { Count: > 0 } items)
                return items.Select(item =>
                {
                    var copy = doc.DeepCopy();
                    DocumentPaths.Set(copy, field, item);
                    return copy;
                });
            if (value is BsonArray or null or BsonNull) return preserve ? [doc] : [];
            return [doc];
        });
    }
}
