using System.Text.RegularExpressions;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// A query filter compiled once into a predicate. Implements the query language's matching rules: a field that holds
/// an array matches a value equal to the whole array or to any element; comparisons only match values of the same
/// canonical type (type bracketing); <c>{f: null}</c> also matches a missing field.
/// </summary>
public sealed class FilterMatcher
{
    private static readonly BsonValueComparer Comparer = BsonValueComparer.Instance;
    private readonly Func<BsonDocument, bool> _predicate;

    private FilterMatcher(Func<BsonDocument, bool> predicate) => _predicate = predicate;

    public static readonly FilterMatcher All = new(_ => true);

    public static FilterMatcher Compile(BsonDocument? filter) =>
        filter is null || filter.ElementCount == 0 ? All : new FilterMatcher(CompileDocument(filter));

    public bool Matches(BsonDocument document) => _predicate(document);

    private static Func<BsonDocument, bool> CompileDocument(BsonDocument filter)
    {
        var clauses = new List<Func<BsonDocument, bool>>(filter.ElementCount);
        foreach (var (name, value) in filter) clauses.Add(CompileClause(name, value));
        if (clauses.Count == 1) return clauses[0];
        return doc =>
        {
            foreach (var c in clauses)
                if (!c(doc)) return false;
            return true;
        };
    }

    private static Func<BsonDocument, bool> CompileClause(string name, BsonValue value)
    {
        switch (name)
        {
            case "$and":
            {
                var parts = LogicalOperands(name, value);
                return doc => parts.All(p => p(doc));
            }
            case "$or":
            {
                var parts = LogicalOperands(name, value);
                return doc => parts.Any(p => p(doc));
            }
            case "$nor":
            {
                var parts = LogicalOperands(name, value);
                return doc => !parts.Any(p => p(doc));
            }
            case "$comment":
                return _ => true;
            case "$expr" or "$where" or "$text" or "$jsonSchema":
                throw MongoCommandException.BadValue($"{name} is not supported by the in-memory server");
        }
        if (name.StartsWith('$')) throw MongoCommandException.BadValue($"unknown top level operator: {name}");
        var test = CompileFieldCondition(value);
        return doc => test(FieldPath.Resolve(doc, name));
    }

    private static List<Func<BsonDocument, bool>> LogicalOperands(string op, BsonValue value)
    {
        if (value is not BsonArray array || array.Count == 0)
            throw MongoCommandException.BadValue($"{op} must be a nonempty array");
        return array.Select(v => v is BsonDocument d
            ? CompileDocument(d)
            : throw MongoCommandException.BadValue($"{op} argument's entries must be objects")).ToList();
    }

    /// <summary>A test over the values a path resolved to (missing = null).</summary>
    private static Func<List<BsonValue?>, bool> CompileFieldCondition(BsonValue condition)
    {
        if (condition is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
        {
            var tests = new List<Func<List<BsonValue?>, bool>>();
            foreach (var (op, operand) in ops)
            {
                if (op == "$options") continue;
                tests.Add(CompileOperator(op, operand, ops));
            }
            return values => tests.All(t => t(values));
        }
        if (condition is BsonRegularExpression regex) return AnyValueOrElement(RegexTest(regex.Pattern, regex.Options));
        return Equality(condition);
    }

    private static Func<List<BsonValue?>, bool> CompileOperator(string op, BsonValue operand, BsonDocument all)
    {
        switch (op)
        {
            case "$eq": return Equality(operand);
            case "$ne": { var eq = Equality(operand); return v => !eq(v); }
            case "$gt": return Comparison(operand, c => c > 0);
            case "$gte": return Comparison(operand, c => c >= 0);
            case "$lt": return Comparison(operand, c => c < 0);
            case "$lte": return Comparison(operand, c => c <= 0);
            case "$in": return In(op, operand);
            case "$nin": { var inTest = In(op, operand); return v => !inTest(v); }
            case "$exists":
            {
                var wanted = IsTruthy(operand);
                return values => values.Any(v => v is not null) == wanted;
            }
            case "$not":
            {
                var inner = operand switch
                {
                    BsonDocument d when d.ElementCount > 0 => CompileFieldCondition(d),
                    BsonRegularExpression r => AnyValueOrElement(RegexTest(r.Pattern, r.Options)),
                    _ => throw MongoCommandException.BadValue("$not needs a regex or a document"),
                };
                return v => !inner(v);
            }
            case "$type": return AnyValueOrElement(TypeTest(operand));
            case "$size":
            {
                if (!Numbers.IsNumber(operand) || !Numbers.TryGetInt64(operand, out var size))
                    throw MongoCommandException.BadValue("$size needs a number");
                return values => values.Any(v => v is BsonArray a && a.Count == size);
            }
            case "$all":
            {
                if (operand is not BsonArray items) throw MongoCommandException.BadValue("$all needs an array");
                var tests = items.Select(i => i is BsonDocument d && d.ElementCount > 0 && d.GetElement(0).Name == "$elemMatch"
                    ? CompileFieldCondition(d)
                    : Equality(i)).ToList();
                return values => tests.Count > 0 && tests.All(t => t(values));
            }
            case "$elemMatch":
            {
                if (operand is not BsonDocument sub) throw MongoCommandException.BadValue("$elemMatch needs an Object");
                Func<BsonValue, bool> elementTest;
                if (sub.ElementCount > 0 && sub.GetElement(0).Name.StartsWith('$') && sub.GetElement(0).Name is not ("$and" or "$or" or "$nor"))
                {
                    var cond = CompileFieldCondition(sub);
                    elementTest = e => cond([e]);
                }
                else
                {
                    var docTest = CompileDocument(sub);
                    elementTest = e => e is BsonDocument d && docTest(d);
                }
                return values => values.Any(v => v is BsonArray a && a.Any(elementTest));
            }
            case "$regex":
            {
                var options = all.TryGetValue("$options", out var o) && o is BsonString os ? os.Value : "";
                return operand switch
                {
                    BsonString s => AnyValueOrElement(RegexTest(s.Value, options)),
                    BsonRegularExpression r => AnyValueOrElement(RegexTest(r.Pattern, options.Length > 0 ? options : r.Options)),
                    _ => throw MongoCommandException.BadValue("$regex has to be a string"),
                };
            }
            case "$mod":
            {
                if (operand is not BsonArray { Count: 2 } mod || !Numbers.TryGetInt64(mod[0], out var divisor) || divisor == 0
                    || !Numbers.TryGetInt64(mod[1], out var remainder))
                    throw MongoCommandException.BadValue("malformed mod, needs to be an array of [divisor, remainder]");
                return AnyValueOrElement(v => Numbers.IsNumber(v) && (long)Math.Truncate(Numbers.ToDouble(v)) % divisor == remainder);
            }
            default:
                throw MongoCommandException.BadValue($"unknown operator: {op}");
        }
    }

    private static Func<List<BsonValue?>, bool> AnyValueOrElement(Func<BsonValue, bool> test) => values =>
    {
        foreach (var v in values)
        {
            if (v is null) continue;
            if (test(v)) return true;
            if (v is BsonArray a)
                foreach (var e in a)
                    if (test(e)) return true;
        }
        return false;
    };

    private static Func<List<BsonValue?>, bool> Equality(BsonValue operand)
    {
        if (operand is BsonNull)
            return values => values.Any(v => v is null || v is BsonNull or BsonUndefined || v is BsonArray a && a.Any(e => e is BsonNull));
        return AnyValueOrElement(v => Comparer.Compare(v, operand) == 0);
    }

    private static Func<List<BsonValue?>, bool> Comparison(BsonValue operand, Func<int, bool> accept)
    {
        if (operand is BsonRegularExpression) throw MongoCommandException.BadValue("Can't have RegEx as arg to predicate over field");
        var rank = BsonValueComparer.CanonicalRank(operand.BsonType);
        var nullInclusive = operand is BsonNull && accept(0);
        return values =>
        {
            foreach (var v in values)
            {
                if (v is null)
                {
                    if (nullInclusive) return true;
                    continue;
                }
                if (Bracketed(v, operand, rank, accept)) return true;
                if (v is BsonArray a && operand is not BsonArray)
                    foreach (var e in a)
                        if (Bracketed(e, operand, rank, accept)) return true;
            }
            return false;
        };
    }

    private static bool Bracketed(BsonValue v, BsonValue operand, int rank, Func<int, bool> accept)
    {
        // MinKey/MaxKey operands compare against every type; otherwise only values of the operand's type qualify.
        if (operand is BsonMinKey or BsonMaxKey || BsonValueComparer.CanonicalRank(v.BsonType) == rank)
            return accept(Comparer.Compare(v, operand));
        return false;
    }

    private static Func<List<BsonValue?>, bool> In(string op, BsonValue operand)
    {
        if (operand is not BsonArray items) throw MongoCommandException.BadValue($"{op} needs an array");
        var tests = new List<Func<List<BsonValue?>, bool>>(items.Count);
        foreach (var item in items)
        {
            if (item is BsonDocument d && d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$'))
                throw MongoCommandException.BadValue($"cannot nest $ under {op}");
            tests.Add(item is BsonRegularExpression r ? AnyValueOrElement(RegexTest(r.Pattern, r.Options)) : Equality(item));
        }
        return values => tests.Any(t => t(values));
    }

    private static Func<BsonValue, bool> RegexTest(string pattern, string options)
    {
        var opts = RegexOptions.CultureInvariant;
        if (options.Contains('i')) opts |= RegexOptions.IgnoreCase;
        if (options.Contains('m')) opts |= RegexOptions.Multiline;
        if (options.Contains('s')) opts |= RegexOptions.Singleline;
        if (options.Contains('x')) opts |= RegexOptions.IgnorePatternWhitespace;
        var regex = new Regex(pattern, opts);
        return v => v switch
        {
            BsonString s => regex.IsMatch(s.Value),
            BsonSymbol s => regex.IsMatch(s.Name),
            BsonRegularExpression r => r.Pattern == pattern && r.Options == options,
            _ => false,
        };
    }

    private static Func<BsonValue, bool> TypeTest(BsonValue operand)
    {
        var types = (operand is BsonArray a ? a.ToList() : [operand]).Select(TypeCode).ToList();
        return v => types.Any(t => t == -1 ? Numbers.IsNumber(v) : (int)v.BsonType == t || (t == 0xFF && v is BsonMinKey));
    }

    private static int TypeCode(BsonValue alias) => alias switch
    {
        BsonString { Value: "number" } => -1,
        BsonString s => s.Value switch
        {
            "double" => 1, "string" => 2, "object" => 3, "array" => 4, "binData" => 5, "undefined" => 6,
            "objectId" => 7, "bool" => 8, "date" => 9, "null" => 10, "regex" => 11, "dbPointer" => 12,
            "javascript" => 13, "symbol" => 14, "javascriptWithScope" => 15, "int" => 16, "timestamp" => 17,
            "long" => 18, "decimal" => 19, "minKey" => 0xFF, "maxKey" => 0x7F,
            _ => throw MongoCommandException.BadValue($"Unknown type name alias: {s.Value}"),
        },
        _ when Numbers.TryGetInt64(alias, out var n) => n == -1 ? 0xFF : (int)n,
        _ => throw MongoCommandException.TypeMismatch("type must be represented as a number or a string"),
    };

    internal static bool IsTruthy(BsonValue v) => v switch
    {
        BsonBoolean b => b.Value,
        BsonNull or BsonUndefined => false,
        _ when Numbers.IsNumber(v) => Numbers.ToDouble(v) != 0,
        _ => true,
    };
}
