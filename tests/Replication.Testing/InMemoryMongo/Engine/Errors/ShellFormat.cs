using System.Globalization;
using System.Text;
using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Errors;

/// <summary>Values written the way MongoDB's error messages print them, e.g. <c>{ _id: ObjectId('…') }</c>.</summary>
public static class ShellFormat
{
    public static string Of(BsonValue value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, BsonValue value)
    {
        switch (value)
        {
            case BsonDocument d:
                if (d.ElementCount == 0)
                {
                    sb.Append("{}");
                    break;
                }
                sb.Append("{ ");
                var first = true;
                foreach (var (name, v) in d)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    sb.Append(name).Append(": ");
                    Append(sb, v);
                }
                sb.Append(" }");
                break;
            case BsonArray a:
                sb.Append("[ ").AppendJoin(", ", a.Select(Of)).Append(" ]");
                break;
            case BsonString s: sb.Append('"').Append(s.Value).Append('"'); break;
            case BsonInt32 i: sb.Append(i.Value.ToString(CultureInfo.InvariantCulture)); break;
            case BsonInt64 l: sb.Append(l.Value.ToString(CultureInfo.InvariantCulture)); break;
            case BsonDouble dbl:
                // The shell marks integral doubles with ".0" so they are not mistaken for integers.
                sb.Append(dbl.Value.ToString("R", CultureInfo.InvariantCulture));
                if (double.IsFinite(dbl.Value) && dbl.Value == Math.Floor(dbl.Value) && Math.Abs(dbl.Value) < 1e15) sb.Append(".0");
                break;
            case BsonObjectId o: sb.Append("ObjectId('").Append(o.Value.ToString()).Append("')"); break;
            case BsonBoolean b: sb.Append(b.Value ? "true" : "false"); break;
            case BsonNull: sb.Append("null"); break;
            case BsonUndefined: sb.Append("undefined"); break;
            case BsonDateTime dt: sb.Append("new Date(").Append(dt.MillisecondsSinceEpoch.ToString(CultureInfo.InvariantCulture)).Append(')'); break;
            case BsonTimestamp ts: sb.Append("Timestamp(").Append((uint)ts.Timestamp).Append(", ").Append((uint)ts.Increment).Append(')'); break;
            case BsonBinaryData bin: sb.Append("BinData(").Append((byte)bin.SubType).Append(", ").Append(Convert.ToHexString(bin.Bytes)).Append(')'); break;
            case BsonMinKey: sb.Append("MinKey"); break;
            case BsonMaxKey: sb.Append("MaxKey"); break;
            default: sb.Append(value.BsonType.ToString()); break;
        }
    }
}
