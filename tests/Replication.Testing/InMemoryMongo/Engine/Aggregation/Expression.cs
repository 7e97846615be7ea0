using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Aggregation;

/// <summary>
/// The small part of the aggregation expression language the engine supports: field paths (<c>"$a.b"</c>),
/// literals, <c>{$literal}</c>, and documents/arrays of expressions. Evaluates to null for a missing field.
/// </summary>
public static class Expression
{
    public static Func<BsonDocument, BsonValue?> Compile(BsonValue expression)
    {
        switch (expression)
        {
            case BsonString { Value: ['$', '$', ..] } variable:
                if (variable.Value is "$$ROOT" or "$$CURRENT") return doc => doc;
                throw MongoCommandException.BadValue($"variable {variable.Value} is not supported by the in-memory server");
            case BsonString { Value: ['$', ..] } path:
            {
                var p = path.Value[1..];
                return doc =>
                {
                    var values = FieldPath.Resolve(doc, p).Where(v => v is not null).ToList();
                    return p.Contains('.') && values.Count > 1 ? new BsonArray(values!) : values.FirstOrDefault();
                };
            }
            case BsonDocument { ElementCount: 1 } lit when lit.GetElement(0).Name == "$literal":
            {
                var value = lit.GetElement(0).Value;
                return _ => value;
            }
            case BsonDocument op when op.ElementCount > 0 && op.GetElement(0).Name.StartsWith('$'):
                throw new MongoCommandException(MongoErrorCode.InvalidPipelineOperator, $"Unrecognized expression '{op.GetElement(0).Name}'");
            case BsonDocument fields:
            {
                var compiled = fields.Select(f => (f.Name, Compile(f.Value))).ToList();
                return doc =>
                {
                    var result = new BsonDocument();
                    foreach (var (name, eval) in compiled)
                        if (eval(doc) is { } v) result.Add(name, v);
                    return result;
                };
            }
            case BsonArray items:
            {
                var compiled = items.Select(Compile).ToList();
                return doc => new BsonArray(compiled.Select(c => c(doc) ?? BsonNull.Value));
            }
            default:
                return _ => expression;
        }
    }
}
