using System.Globalization;
using System.Text;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>
/// A canonical text encoding of a BSON value for hash lookups: two values get the same key exactly when MongoDB
/// treats them as the same index key (so 1, 1L and 1.0 collide, as they do in a unique index).
/// </summary>
public static class ValueKey
{
    public static string Of(BsonValue value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    public static string Of(IReadOnlyList<BsonValue> compound)
    {
        var sb = new StringBuilder();
        foreach (var v in compound)
        {
            Append(sb, v);
            sb.Append('|');
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, BsonValue value)
    {
        switch (value)
        {
            case BsonInt32 or BsonInt64 or BsonDouble or BsonDecimal128:
                sb.Append('N');
                if (Numbers.TryGetInt64(value, out var l)) sb.Append(l.ToString(CultureInfo.InvariantCulture));
                else sb.Append(Numbers.ToDouble(value).ToString("R", CultureInfo.InvariantCulture));
                break;
            case BsonString s: AppendString(sb, 'S', s.Value); break;
            case BsonSymbol s: AppendString(sb, 'S', s.Name); break;
            case BsonDocument d:
                sb.Append('{');
                foreach (var (name, v) in d)
                {
                    AppendString(sb, 'F', name);
                    Append(sb, v);
                }
                sb.Append('}');
                break;
            case BsonArray a:
                sb.Append('[');
                foreach (var v in a) Append(sb, v);
                sb.Append(']');
                break;
            case BsonObjectId o: sb.Append('O').Append(o.Value.ToString()); break;
            case BsonBoolean b: sb.Append(b.Value ? "T" : "F"); break;
            case BsonDateTime t: sb.Append('D').Append(t.MillisecondsSinceEpoch.ToString(CultureInfo.InvariantCulture)).Append(';'); break;
            case BsonTimestamp ts: sb.Append('P').Append(ts.Value.ToString(CultureInfo.InvariantCulture)).Append(';'); break;
            case BsonBinaryData bin: sb.Append('B').Append((byte)bin.SubType).Append(':').Append(Convert.ToBase64String(bin.Bytes)).Append(';'); break;
            case BsonRegularExpression r: AppendString(sb, 'R', r.Pattern); AppendString(sb, 'r', r.Options); break;
            case BsonNull or BsonUndefined: sb.Append('Z'); break;
            case BsonMinKey: sb.Append('<'); break;
            case BsonMaxKey: sb.Append('>'); break;
            case BsonJavaScriptWithScope jss: AppendString(sb, 'W', jss.Code); Append(sb, jss.Scope); break;
            case BsonJavaScript js: AppendString(sb, 'J', js.Code); break;
            default: throw new InvalidOperationException($"no key encoding for {value.BsonType}");
        }
    }

    // Length-prefixed so that no string content can be mistaken for structure.
    private static void AppendString(StringBuilder sb, char tag, string s) =>
        sb.Append(tag).Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s);
}
