using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Replication.Bson;

/// <summary>
/// BSON → Extended JSON v2 in one forward pass over the bytes into a <see cref="Utf8JsonWriter"/>. The input must
/// already be valid (see <see cref="BsonValidator"/>); element order is kept.
/// </summary>
internal static class ExtendedJsonWriter
{
    // Relaxed dates are ISO-8601 strings only from 1970-01-01 to the end of 9999, as the spec limits them.
    private const long MaxIsoMilliseconds = 253402300800000;

    public static void WriteDocument(ReadOnlySpan<byte> document, Utf8JsonWriter json, ExtendedJsonMode mode)
    {
        json.WriteStartObject();
        foreach (var e in new BsonDocumentReader(document))
        {
            json.WritePropertyName(e.NameUtf8);
            WriteValue(e, json, mode);
        }
        json.WriteEndObject();
    }

    private static void WriteArray(ReadOnlySpan<byte> array, Utf8JsonWriter json, ExtendedJsonMode mode)
    {
        json.WriteStartArray();
        foreach (var e in new BsonDocumentReader(array)) WriteValue(e, json, mode);
        json.WriteEndArray();
    }

    private static void WriteValue(BsonElement e, Utf8JsonWriter json, ExtendedJsonMode mode)
    {
        var relaxed = mode == ExtendedJsonMode.Relaxed;
        switch (e.Type)
        {
            case BsonType.Double:
                WriteDouble(e.AsDouble, json, relaxed);
                break;
            case BsonType.String:
                json.WriteStringValue(e.AsStringUtf8);
                break;
            case BsonType.Document:
                WriteDocument(e.RawValue, json, mode);
                break;
            case BsonType.Array:
                WriteArray(e.RawValue, json, mode);
                break;
            case BsonType.Binary:
            {
                var data = e.AsBinary(out var subtype);
                json.WriteStartObject();
                json.WritePropertyName("$binary"u8);
                json.WriteStartObject();
                json.WriteBase64String("base64"u8, data);
                Span<byte> hex = stackalloc byte[2];
                subtype.TryFormat(hex, out _, "x2", CultureInfo.InvariantCulture);
                json.WriteString("subType"u8, hex);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            }
            case BsonType.Undefined:
                json.WriteStartObject();
                json.WriteBoolean("$undefined"u8, true);
                json.WriteEndObject();
                break;
            case BsonType.ObjectId:
                json.WriteStartObject();
                WriteObjectIdProperty(e.RawValue, json);
                json.WriteEndObject();
                break;
            case BsonType.Boolean:
                json.WriteBooleanValue(e.AsBoolean);
                break;
            case BsonType.DateTime:
                WriteDateTime(e.AsDateTime, json, relaxed);
                break;
            case BsonType.Null:
                json.WriteNullValue();
                break;
            case BsonType.RegularExpression:
                WriteRegularExpression(e.RawValue, json);
                break;
            case BsonType.DbPointer:
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(e.RawValue);
                json.WriteStartObject();
                json.WritePropertyName("$dbPointer"u8);
                json.WriteStartObject();
                json.WriteString("$ref"u8, e.RawValue.Slice(4, length - 1));
                json.WritePropertyName("$id"u8);
                json.WriteStartObject();
                WriteObjectIdProperty(e.RawValue.Slice(4 + length, 12), json);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            }
            case BsonType.JavaScript:
                json.WriteStartObject();
                json.WriteString("$code"u8, e.AsStringUtf8);
                json.WriteEndObject();
                break;
            case BsonType.Symbol:
                json.WriteStartObject();
                json.WriteString("$symbol"u8, e.AsStringUtf8);
                json.WriteEndObject();
                break;
            case BsonType.JavaScriptWithScope:
            {
                var raw = e.RawValue;
                var codeLength = BinaryPrimitives.ReadInt32LittleEndian(raw[4..]);
                json.WriteStartObject();
                json.WriteString("$code"u8, raw.Slice(8, codeLength - 1));
                json.WritePropertyName("$scope"u8);
                WriteDocument(raw[(8 + codeLength)..], json, mode);
                json.WriteEndObject();
                break;
            }
            case BsonType.Int32:
                if (relaxed) json.WriteNumberValue(e.AsInt32);
                else WriteNumberWrapper("$numberInt"u8, e.AsInt32, json);
                break;
            case BsonType.Timestamp:
            {
                var (seconds, increment) = e.AsTimestamp;
                json.WriteStartObject();
                json.WritePropertyName("$timestamp"u8);
                json.WriteStartObject();
                json.WriteNumber("t"u8, seconds);
                json.WriteNumber("i"u8, increment);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            }
            case BsonType.Int64:
                if (relaxed) json.WriteNumberValue(e.AsInt64);
                else WriteNumberWrapper("$numberLong"u8, e.AsInt64, json);
                break;
            case BsonType.Decimal128:
            {
                Span<char> text = stackalloc char[64];
                e.AsDecimal128.TryFormat(text, out var n);
                json.WriteStartObject();
                json.WriteString("$numberDecimal"u8, text[..n]);
                json.WriteEndObject();
                break;
            }
            case BsonType.MinKey:
                json.WriteStartObject();
                json.WriteNumber("$minKey"u8, 1);
                json.WriteEndObject();
                break;
            case BsonType.MaxKey:
                json.WriteStartObject();
                json.WriteNumber("$maxKey"u8, 1);
                json.WriteEndObject();
                break;
            default:
                throw new BsonFormatException($"unknown element type 0x{(byte)e.Type:x2} in field '{e.Name}'");
        }
    }

    private static void WriteDouble(double value, Utf8JsonWriter json, bool relaxed)
    {
        Span<byte> text = stackalloc byte[ExtendedJsonDouble.MaxLength];
        var n = ExtendedJsonDouble.Format(value, text);
        if (relaxed && double.IsFinite(value))
        {
            json.WriteRawValue(text[..n], skipInputValidation: true);
            return;
        }
        json.WriteStartObject();
        json.WriteString("$numberDouble"u8, text[..n]);
        json.WriteEndObject();
    }

    private static void WriteNumberWrapper(ReadOnlySpan<byte> key, long value, Utf8JsonWriter json)
    {
        Span<byte> text = stackalloc byte[20];
        value.TryFormat(text, out var n, default, CultureInfo.InvariantCulture);
        json.WriteStartObject();
        json.WriteString(key, text[..n]);
        json.WriteEndObject();
    }

    private static void WriteDateTime(long milliseconds, Utf8JsonWriter json, bool relaxed)
    {
        json.WriteStartObject();
        if (relaxed && milliseconds is >= 0 and < MaxIsoMilliseconds)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime;
            Span<char> text = stackalloc char[32];
            var format = milliseconds % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            time.TryFormat(text, out var n, format, CultureInfo.InvariantCulture);
            json.WriteString("$date"u8, text[..n]);
        }
        else
        {
            json.WritePropertyName("$date"u8);
            WriteNumberWrapper("$numberLong"u8, milliseconds, json);
        }
        json.WriteEndObject();
    }

    private static void WriteObjectIdProperty(ReadOnlySpan<byte> id, Utf8JsonWriter json)
    {
        Span<byte> hex = stackalloc byte[24];
        for (var i = 0; i < 12; i++) id[i].TryFormat(hex[(i * 2)..], out _, "x2", CultureInfo.InvariantCulture);
        json.WriteString("$oid"u8, hex);
    }

    private static void WriteRegularExpression(ReadOnlySpan<byte> raw, Utf8JsonWriter json)
    {
        var patternEnd = raw.IndexOf((byte)0);
        var options = raw[(patternEnd + 1)..];
        options = options[..options.IndexOf((byte)0)];
        // The spec requires options in alphabetical order; degenerate BSON may carry them unsorted. Sorting bytes is only
        // safe for ASCII, which every real option letter is.
        Span<byte> sorted = options.Length <= 64 ? stackalloc byte[options.Length] : new byte[options.Length];
        options.CopyTo(sorted);
        if (System.Text.Ascii.IsValid(options)) sorted.Sort();

        json.WriteStartObject();
        json.WritePropertyName("$regularExpression"u8);
        json.WriteStartObject();
        json.WriteString("pattern"u8, raw[..patternEnd]);
        json.WriteString("options"u8, sorted);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
