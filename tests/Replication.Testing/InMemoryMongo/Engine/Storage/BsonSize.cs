using System.Text;
using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>The encoded BSON size of a value-model document, computed without encoding it.</summary>
public static class BsonSize
{
    public const int MaxDocumentSize = 16 * 1024 * 1024;

    public static int Of(BsonDocument document)
    {
        var size = 5;
        foreach (var (name, value) in document) size += 1 + Encoding.UTF8.GetByteCount(name) + 1 + ValueSize(value);
        return size;
    }

    private static int OfArray(BsonArray array)
    {
        var size = 5;
        for (var i = 0; i < array.Count; i++) size += 1 + DigitCount(i) + 1 + ValueSize(array[i]);
        return size;
    }

    private static int DigitCount(int i) => i < 10 ? 1 : i < 100 ? 2 : i < 1000 ? 3 : i < 10000 ? 4 : i < 100000 ? 5 : i.ToString().Length;

    private static int ValueSize(BsonValue value) => value switch
    {
        BsonDouble or BsonInt64 or BsonDateTime or BsonTimestamp => 8,
        BsonInt32 => 4,
        BsonString s => 5 + Encoding.UTF8.GetByteCount(s.Value),
        BsonSymbol s => 5 + Encoding.UTF8.GetByteCount(s.Name),
        BsonJavaScriptWithScope j => 4 + 5 + Encoding.UTF8.GetByteCount(j.Code) + Of(j.Scope),
        BsonJavaScript js => 5 + Encoding.UTF8.GetByteCount(js.Code),
        BsonDocument d => Of(d),
        BsonArray a => OfArray(a),
        BsonBinaryData b => 5 + b.Bytes.Length,
        BsonObjectId => 12,
        BsonBoolean => 1,
        BsonDecimal128 => 16,
        BsonRegularExpression r => Encoding.UTF8.GetByteCount(r.Pattern) + Encoding.UTF8.GetByteCount(r.Options) + 2,
        _ => 0, // null, undefined, MinKey, MaxKey
    };
}
