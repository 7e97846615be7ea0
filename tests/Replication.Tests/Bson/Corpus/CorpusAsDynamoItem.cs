using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Dynamo.Conversion;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// A corpus document as the DynamoDB item whose conversion must give exactly its canonical BSON, when DynamoDB can
/// hold every value and the converter's rules (DynamoItemConverter, DynamoNumber) produce its BSON types: strings,
/// booleans, nulls, maps, lists, binary of subtype 0, and numbers — int32/int64/decimal128 as the typed mode picks
/// them, or finite doubles in double mode (one mode per item, so not both kinds in one document). The document sits
/// under <see cref="Field"/> of an item keyed by <c>id</c>, so any corpus key can be its top level.
/// </summary>
internal sealed record CorpusAsDynamoItem(string Json, ConvertMode Mode)
{
    public const string Field = "d";

    public static CorpusAsDynamoItem? From(BsonDocument document)
    {
        var kinds = new HashSet<ConvertMode>();
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartObject("id");
            json.WriteString("S", "corpus");
            json.WriteEndObject();
            json.WritePropertyName(Field);
            if (!TryWrite(document, json, kinds)) return null;
            json.WriteEndObject();
        }
        if (kinds.Count > 1) return null;
        return new CorpusAsDynamoItem(Encoding.UTF8.GetString(output.WrittenSpan), kinds.SingleOrDefault(ConvertMode.Typed));
    }

    private static bool TryWrite(BsonValue value, Utf8JsonWriter json, HashSet<ConvertMode> kinds)
    {
        json.WriteStartObject();
        switch (value)
        {
            case BsonString s: json.WriteString("S", s.Value); break;
            case BsonBoolean b: json.WriteBoolean("BOOL", b.Value); break;
            case BsonNull: json.WriteBoolean("NULL", true); break;
            case BsonBinaryData { SubType: BsonBinarySubType.Binary } b: json.WriteString("B", Convert.ToBase64String(b.Bytes)); break;
            case BsonInt32 i: Number(i.Value.ToString(CultureInfo.InvariantCulture), ConvertMode.Typed); break;
            case BsonInt64 l when l.Value is < int.MinValue or > int.MaxValue: Number(l.Value.ToString(CultureInfo.InvariantCulture), ConvertMode.Typed); break;
            case BsonDecimal128 m when TypedModeKeepsAsDecimal(m.Value): Number(m.Value.ToString(), ConvertMode.Typed); break;
            case BsonDouble d when double.IsFinite(d.Value): Number(d.Value.ToString("R", CultureInfo.InvariantCulture), ConvertMode.Double); break;
            case BsonDocument d:
                json.WriteStartObject("M");
                foreach (var element in d)
                {
                    json.WritePropertyName(element.Name);
                    if (!TryWrite(element.Value, json, kinds)) return false;
                }
                json.WriteEndObject();
                break;
            case BsonArray a:
                json.WriteStartArray("L");
                foreach (var item in a)
                {
                    if (!TryWrite(item, json, kinds)) return false;
                }
                json.WriteEndArray();
                break;
            default:
                return false;
        }
        json.WriteEndObject();
        return true;

        void Number(string text, ConvertMode mode)
        {
            json.WriteString("N", text);
            kinds.Add(mode);
        }
    }

    // The typed mode writes an integral value that fits 64 bits (zero included) as int32/int64, and anything else
    // finite as decimal128 with its digits as written.
    private static bool TypedModeKeepsAsDecimal(MongoDB.Bson.Decimal128 value)
    {
        if (MongoDB.Bson.Decimal128.IsNaN(value) || MongoDB.Bson.Decimal128.IsInfinity(value) || MongoDB.Bson.Decimal128.IsZero(value)) return false;
        var text = value.ToString();
        var e = text.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? text : text[..e];
        var exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }
        var digits = mantissa.TrimStart('-').TrimStart('0').TrimEnd('0');
        exponent += mantissa.TrimStart('-').TrimStart('0').Length - digits.Length;
        if (exponent < 0 || digits.Length + exponent > 20) return true;
        var magnitude = BigInteger.Parse(digits, CultureInfo.InvariantCulture) * BigInteger.Pow(10, exponent);
        var integer = mantissa.StartsWith('-') ? -magnitude : magnitude;
        return integer < long.MinValue || integer > long.MaxValue;
    }
}
