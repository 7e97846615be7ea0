using MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>An index to create: its key pattern and options (<c>name</c>, <c>unique</c>, <c>partialFilterExpression</c>…).</summary>
public sealed record IndexModel(BsonDocument Keys, BsonDocument? Options = null)
{
    /// <summary>The name MongoDB derives from the keys when none is given: <c>a_1_b_-1</c>.</summary>
    public string Name => Options?.GetValue("name", BsonNull.Value) is BsonString s ? s.Value : DefaultName(Keys);

    internal static string DefaultName(BsonDocument keys) =>
        string.Join("_", keys.Select(k => $"{k.Name}_{KeyValueText(k.Value)}"));

    private static string KeyValueText(BsonValue value) => value switch
    {
        BsonInt32 i => i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BsonInt64 l => l.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BsonDouble d => d.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BsonString s => s.Value,
        _ => value.ToString() ?? "",
    };
}
