using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Query;

/// <summary>
/// An update document compiled once: either a replacement document or update operators ($set, $unset, $inc, $mul,
/// $min, $max, $setOnInsert, $push, $addToSet, $pull, $pullAll, $pop, $rename, $currentDate). Applies to a copy;
/// the stored document is never touched. <c>_id</c> is immutable (ImmutableField, 66).
/// </summary>
public sealed class UpdateApplier
{
    private static readonly BsonValueComparer Comparer = BsonValueComparer.Instance;
    private readonly BsonDocument? _replacement;
    private readonly List<(string Operator, string Path, BsonValue Operand)> _operations = [];

    private UpdateApplier(BsonDocument update)
    {
        if (update.ElementCount == 0 || !update.GetElement(0).Name.StartsWith('$'))
        {
            foreach (var (name, _) in update)
                if (name.StartsWith('$'))
                    throw MongoCommandException.FailedToParse($"The dollar ($) prefixed field '{name}' in '{name}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.");
            _replacement = update;
            return;
        }
        foreach (var (op, fields) in update)
        {
            if (!op.StartsWith('$') || !KnownOperators.Contains(op))
                throw MongoCommandException.FailedToParse($"Unknown modifier: {op}. Expected a valid update modifier or pipeline-style update specified as an array");
            if (fields is not BsonDocument fieldDoc)
                throw MongoCommandException.FailedToParse($"Modifiers operate on fields but we found type {CommandTypeName(fields)} instead. For example: {{$mod: {{<field>: ...}}}} not {{{op}: {ShellFormat.Of(fields)}}}");
            foreach (var (path, operand) in fieldDoc)
            {
                if (path.Length == 0) throw MongoCommandException.FailedToParse("An empty update path is not valid.");
                if (path.Split('.').Any(part => part.StartsWith('$')))
                    throw MongoCommandException.BadValue($"positional and array-filter paths are not supported by the in-memory server: '{path}'");
                _operations.Add((op, path, operand));
            }
        }
        CheckConflicts();
    }

    private static readonly HashSet<string> KnownOperators =
        ["$set", "$unset", "$inc", "$mul", "$min", "$max", "$setOnInsert", "$push", "$addToSet", "$pull", "$pullAll", "$pop", "$rename", "$currentDate"];

    public static UpdateApplier Parse(BsonValue? update) => update switch
    {
        BsonDocument d => new UpdateApplier(d),
        BsonArray => throw new MongoCommandException(MongoErrorCode.InvalidOptions, "pipeline-style updates are not supported by the in-memory server"),
        _ => throw MongoCommandException.FailedToParse("Update argument must be either an object or an array"),
    };

    public bool IsReplacement => _replacement is not null;

    public UpdateOutcome Apply(BsonDocument current, bool isUpsertInsert)
    {
        if (_replacement is not null) return Replace(current);
        var doc = current.DeepCopy();
        var updated = new List<string>();
        var removed = new List<string>();
        foreach (var (op, path, operand) in _operations) ApplyOperator(doc, op, path, operand, isUpsertInsert, updated, removed);
        if (!isUpsertInsert && current.GetOrNull("_id") is { } id && (doc.GetOrNull("_id") is not { } newId || !newId.Equals(id)))
        {
            var path = _operations.FirstOrDefault(o => o.Path == "_id" || o.Path.StartsWith("_id.", StringComparison.Ordinal)).Path ?? "_id";
            throw new MongoCommandException(MongoErrorCode.ImmutableField, $"Performing an update on the path '{path}' would modify the immutable field '_id'");
        }
        DocumentRules.ValidateUpdated(doc);
        var changed = !doc.Equals(current);
        var description = new BsonDocument
        {
            { "updatedFields", new BsonDocument(updated.Distinct().Where(p => FieldPath.GetExact(doc, p) is not null).Select(p => new BsonElement(p, FieldPath.GetExact(doc, p)!))) },
            { "removedFields", new BsonArray(removed.Distinct().Select(p => (BsonValue)p)) },
            { "truncatedArrays", new BsonArray() },
        };
        return new UpdateOutcome(doc, changed, description);
    }

    /// <summary>The document an upsert inserts: seeded from the filter's equality fields, then updated.</summary>
    public BsonDocument ForUpsert(BsonDocument seed)
    {
        if (_replacement is not null)
        {
            var doc = new BsonDocument();
            var id = _replacement.GetOrNull("_id") ?? seed.GetOrNull("_id");
            if (id is not null) doc.Add("_id", id);
            foreach (var (name, value) in _replacement)
                if (name != "_id") doc.Add(name, value);
            return DocumentRules.PrepareReplacementForInsert(doc);
        }
        var result = Apply(seed, isUpsertInsert: true).Document;
        return DocumentRules.PrepareForInsert(result);
    }

    private UpdateOutcome Replace(BsonDocument current)
    {
        var id = current.GetOrNull("_id")!;
        var replacement = _replacement!;
        if (replacement.GetOrNull("_id") is { } newId && !Comparer.Equals(newId, id))
            throw new MongoCommandException(MongoErrorCode.ImmutableField,
                $"After applying the update, the (immutable) field '_id' was found to have been altered to _id: {ShellFormat.Of(newId)}");
        var doc = new BsonDocument { { "_id", id } };
        foreach (var (name, value) in replacement)
            if (name != "_id") doc.Add(name, value);
        DocumentRules.ValidateReplacement(doc);
        return new UpdateOutcome(doc, !doc.Equals(current), null);
    }

    private void CheckConflicts()
    {
        for (var i = 0; i < _operations.Count; i++)
            for (var j = i + 1; j < _operations.Count; j++)
            {
                var (a, b) = (_operations[i].Path, _operations[j].Path);
                var target = _operations[i].Operator == "$rename" ? ((BsonString)_operations[i].Operand).Value : null;
                if (Overlaps(a, b) || target is not null && Overlaps(target, b))
                    throw new MongoCommandException(MongoErrorCode.ConflictingUpdateOperators, $"Updating the path '{b}' would create a conflict at '{a}'");
            }
    }

    private static bool Overlaps(string a, string b) =>
        a == b || a.StartsWith(b + ".", StringComparison.Ordinal) || b.StartsWith(a + ".", StringComparison.Ordinal);

    private static void ApplyOperator(BsonDocument doc, string op, string path, BsonValue operand, bool isInsert, List<string> updated, List<string> removed)
    {
        var existing = FieldPath.GetExact(doc, path);
        switch (op)
        {
            case "$set":
                Set(doc, path, operand.DeepCopyValue(), updated);
                break;
            case "$setOnInsert":
                if (isInsert) Set(doc, path, operand.DeepCopyValue(), updated);
                break;
            case "$unset":
                if (DocumentPaths.Unset(doc, path)) removed.Add(path);
                break;
            case "$inc":
            case "$mul":
                if (!Numbers.IsNumber(operand))
                    throw MongoCommandException.TypeMismatch($"Cannot {(op == "$inc" ? "increment" : "multiply")} with non-numeric argument: {{{path}: {ShellFormat.Of(operand)}}}");
                if (existing is not null && !Numbers.IsNumber(existing))
                    throw MongoCommandException.TypeMismatch($"Cannot apply {op} to a value of non-numeric type. {{_id: {ShellFormat.Of(doc.GetOrNull("_id") ?? BsonNull.Value)}}} has the field '{path[(path.LastIndexOf('.') + 1)..]}' of non-numeric type {Commands.CommandInvocation.TypeName(existing)}");
                var result = op == "$inc"
                    ? existing is null ? operand : Numbers.Add(existing, operand)
                    : Numbers.Multiply(existing ?? ZeroLike(operand), operand);
                Set(doc, path, result, updated);
                break;
            case "$min":
            case "$max":
                if (existing is null || (op == "$min" ? Comparer.Compare(operand, existing) < 0 : Comparer.Compare(operand, existing) > 0))
                    Set(doc, path, operand.DeepCopyValue(), updated);
                break;
            case "$currentDate":
                var timestamp = operand is BsonDocument spec && spec.GetOrNull("$type") is BsonString { Value: "timestamp" };
                var now = DateTimeOffset.UtcNow;
                Set(doc, path, timestamp ? new BsonTimestamp((int)now.ToUnixTimeSeconds(), 1) : new BsonDateTime(now.ToUnixTimeMilliseconds()), updated);
                break;
            case "$rename":
                if (operand is not BsonString { Value.Length: > 0 } to)
                    throw MongoCommandException.BadValue($"The 'to' field for $rename must be a string: {path}: {ShellFormat.Of(operand)}");
                if (existing is null) break;
                DocumentPaths.Unset(doc, path);
                removed.Add(path);
                Set(doc, to.Value, existing, updated);
                break;
            case "$push":
                Set(doc, path, Push(doc, path, ArrayAt(doc, path, op, existing), operand), updated);
                break;
            case "$addToSet":
            {
                var array = ArrayAt(doc, path, op, existing);
                var items = operand is BsonDocument { ElementCount: 1 } each && each.GetElement(0).Name == "$each" && each.GetElement(0).Value is BsonArray list ? list.ToList() : [operand];
                foreach (var item in items)
                    if (!array.Any(e => Comparer.Equals(e, item))) array.Add(item.DeepCopyValue());
                Set(doc, path, array, updated);
                break;
            }
            case "$pull":
            case "$pullAll":
            {
                if (existing is null) break;
                var array = ArrayAt(doc, path, op, existing);
                Func<BsonValue, bool> remove = op == "$pullAll"
                    ? operand is BsonArray all ? v => all.Any(a => Comparer.Equals(a, v)) : throw MongoCommandException.BadValue("$pullAll requires an array argument")
                    : PullCondition(operand);
                Set(doc, path, new BsonArray(array.Where(v => !remove(v))), updated);
                break;
            }
            case "$pop":
            {
                if (existing is null) break;
                var array = ArrayAt(doc, path, op, existing);
                if (array.Count > 0) array.RemoveAt(Numbers.IsNumber(operand) && Numbers.ToDouble(operand) < 0 ? 0 : array.Count - 1);
                Set(doc, path, array, updated);
                break;
            }
        }
    }

    private static void Set(BsonDocument doc, string path, BsonValue value, List<string> updated)
    {
        DocumentPaths.Set(doc, path, value);
        updated.Add(path);
    }

    private static BsonValue ZeroLike(BsonValue operand) => operand.BsonType switch
    {
        BsonType.Int32 => 0,
        BsonType.Int64 => 0L,
        _ => 0.0,
    };

    private static BsonArray ArrayAt(BsonDocument doc, string path, string op, BsonValue? existing) => existing switch
    {
        null => [],
        BsonArray a => new BsonArray(a),
        _ => throw MongoCommandException.BadValue($"The field '{path}' must be an array but is of type {Commands.CommandInvocation.TypeName(existing)} in document {{_id: {ShellFormat.Of(doc.GetOrNull("_id") ?? BsonNull.Value)}}}"),
    };

    private static BsonArray Push(BsonDocument doc, string path, BsonArray array, BsonValue operand)
    {
        if (operand is not BsonDocument spec || !spec.Contains("$each"))
        {
            array.Add(operand.DeepCopyValue());
            return array;
        }
        if (spec.GetOrNull("$each") is not BsonArray each) throw MongoCommandException.BadValue("The argument to $each in $push must be an array");
        var position = spec.GetOrNull("$position") is { } p && Numbers.TryGetInt64(p, out var pos) ? (int)(pos < 0 ? Math.Max(0, array.Count + pos) : Math.Min(pos, array.Count)) : array.Count;
        var items = array.ToList();
        items.InsertRange(position, each.Select(BsonCopy.DeepCopyValue));
        if (spec.GetOrNull("$sort") is { } sort)
        {
            items = sort is BsonDocument sortDoc
                ? new SortSpec(sortDoc).Sort(items.Select(i => i as BsonDocument ?? [])).Cast<BsonValue>().ToList()
                : Numbers.ToDouble(sort) > 0 ? items.OrderBy(i => i, Comparer).ToList() : items.OrderByDescending(i => i, Comparer).ToList();
        }
        if (spec.GetOrNull("$slice") is { } slice && Numbers.TryGetInt64(slice, out var n))
            items = n >= 0 ? items.Take((int)n).ToList() : items.Skip(Math.Max(0, items.Count + (int)n)).ToList();
        return new BsonArray(items);
    }

    private static Func<BsonValue, bool> PullCondition(BsonValue operand)
    {
        if (operand is BsonDocument cond && cond.ElementCount > 0)
        {
            if (cond.GetElement(0).Name.StartsWith('$'))
            {
                var matcher = FilterMatcher.Compile(new BsonDocument { { "v", cond } });
                return v => matcher.Matches(new BsonDocument { { "v", v } });
            }
            var docMatcher = FilterMatcher.Compile(cond);
            return v => v is BsonDocument d && docMatcher.Matches(d);
        }
        return v => Comparer.Equals(v, operand);
    }

    private static string CommandTypeName(BsonValue v) => Commands.CommandInvocation.TypeName(v);
}
