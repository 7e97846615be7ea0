using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using Replication.Bson;
using BsonElement = Replication.Bson.BsonElement;
using BsonType = Replication.Bson.BsonType;
using Decimal128 = Replication.Bson.Decimal128;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// Reads a document with the project's own <see cref="BsonDocumentReader"/>, element by element through the typed
/// accessors, and writes each value again with the project's own <see cref="BsonWriter"/> through its typed methods
/// (never a raw copy of the value bytes). What comes out is the canonical form: array indexes are renumbered and
/// regular expression options sorted, as the writer always does.
/// </summary>
internal static class OwnCodec
{
    public static byte[] Rewrite(ReadOnlySpan<byte> document)
    {
        using var writer = new BsonWriter();
        writer.WriteStartDocument();
        CopyElements(new BsonDocumentReader(document), writer, isArray: false);
        writer.WriteEndDocument();
        return writer.ToArray();
    }

    private static void CopyElements(BsonDocumentReader reader, BsonWriter writer, bool isArray)
    {
        foreach (var element in reader)
        {
            var name = element.Name; // strict UTF-8, so a malformed name fails here
            if (!isArray) writer.WriteName(name);
            CopyValue(element, writer);
        }
    }

    private static void CopyValue(BsonElement e, BsonWriter writer)
    {
        switch (e.Type)
        {
            case BsonType.Double: writer.WriteDouble(e.AsDouble); break;
            case BsonType.String: writer.WriteString(e.AsString); break;
            case BsonType.Symbol: writer.WriteSymbol(e.AsString); break;
            case BsonType.JavaScript: writer.WriteJavaScript(e.AsString); break;
            case BsonType.Document:
                writer.WriteStartDocument();
                CopyElements(e.AsDocument, writer, isArray: false);
                writer.WriteEndDocument();
                break;
            case BsonType.Array:
                writer.WriteStartArray();
                CopyElements(e.AsArray, writer, isArray: true);
                writer.WriteEndArray();
                break;
            case BsonType.Binary:
                var data = e.AsBinary(out var subtype);
                writer.WriteBinary(data, subtype);
                break;
            case BsonType.Undefined: writer.WriteUndefined(); break;
            case BsonType.Null: writer.WriteNull(); break;
            case BsonType.MinKey: writer.WriteMinKey(); break;
            case BsonType.MaxKey: writer.WriteMaxKey(); break;
            case BsonType.ObjectId: writer.WriteObjectId(e.AsObjectId); break;
            case BsonType.Boolean: writer.WriteBoolean(e.AsBoolean); break;
            case BsonType.DateTime: writer.WriteDateTime(e.AsDateTime); break;
            case BsonType.Int32: writer.WriteInt32(e.AsInt32); break;
            case BsonType.Int64: writer.WriteInt64(e.AsInt64); break;
            case BsonType.Decimal128: writer.WriteDecimal128(e.AsDecimal128); break;
            case BsonType.Timestamp:
                var (seconds, increment) = e.AsTimestamp;
                writer.WriteTimestamp(seconds, increment);
                break;
            // The element has no typed accessor for these three; their layout is read here from the value bytes.
            case BsonType.RegularExpression:
                var raw = e.RawValue;
                var patternEnd = raw.IndexOf((byte)0);
                writer.WriteRegularExpression(Strict.GetString(raw[..patternEnd]), Strict.GetString(raw[(patternEnd + 1)..^1]));
                break;
            case BsonType.DbPointer:
                var nsLength = BinaryPrimitives.ReadInt32LittleEndian(e.RawValue);
                writer.WriteDbPointer(Strict.GetString(e.RawValue.Slice(4, nsLength - 1)), new ObjectId(e.RawValue.Slice(4 + nsLength, 12).ToArray()));
                break;
            case BsonType.JavaScriptWithScope:
                var codeLength = BinaryPrimitives.ReadInt32LittleEndian(e.RawValue[4..]);
                var code = Strict.GetString(e.RawValue.Slice(8, codeLength - 1));
                writer.WriteJavaScriptWithScope(code, Rewrite(e.RawValue[(8 + codeLength)..]));
                break;
            default:
                throw new InvalidOperationException($"no typed copy for {e.Type}");
        }
    }

    /// <summary>Writes a MongoDB.Bson document (the reference's reading of the corpus) with our writer.</summary>
    public static byte[] Write(BsonDocument document)
    {
        using var writer = new BsonWriter();
        WriteDocument(document, writer);
        return writer.ToArray();
    }

    private static void WriteDocument(BsonDocument document, BsonWriter writer)
    {
        writer.WriteStartDocument();
        foreach (var element in document)
        {
            writer.WriteName(element.Name);
            WriteValue(element.Value, writer);
        }
        writer.WriteEndDocument();
    }

    private static void WriteValue(BsonValue value, BsonWriter writer)
    {
        switch (value)
        {
            case BsonDouble d: writer.WriteDouble(d.Value); break;
            case BsonString s: writer.WriteString(s.Value); break;
            case BsonSymbol s: writer.WriteSymbol(s.Name); break;
            case BsonJavaScriptWithScope js: writer.WriteJavaScriptWithScope(js.Code, Write(js.Scope)); break;
            case BsonJavaScript js: writer.WriteJavaScript(js.Code); break;
            case BsonDocument d: WriteDocument(d, writer); break;
            case BsonArray a:
                writer.WriteStartArray();
                foreach (var item in a) WriteValue(item, writer);
                writer.WriteEndArray();
                break;
            case BsonBinaryData b: writer.WriteBinary(b.Bytes, (byte)b.SubType); break;
            case BsonUndefined: writer.WriteUndefined(); break;
            case BsonNull: writer.WriteNull(); break;
            case BsonMinKey: writer.WriteMinKey(); break;
            case BsonMaxKey: writer.WriteMaxKey(); break;
            case BsonObjectId o: writer.WriteObjectId(o.Value); break;
            case BsonBoolean b: writer.WriteBoolean(b.Value); break;
            case BsonDateTime t: writer.WriteDateTime(t.MillisecondsSinceEpoch); break;
            case BsonRegularExpression r: writer.WriteRegularExpression(r.Pattern, r.Options); break;
            case BsonInt32 i: writer.WriteInt32(i.Value); break;
            case BsonInt64 l: writer.WriteInt64(l.Value); break;
            case BsonTimestamp t: writer.WriteTimestamp((uint)t.Timestamp, (uint)t.Increment); break;
            case BsonDecimal128 m: writer.WriteDecimal128(new Decimal128(m.Value.GetIEEEHighBits(), m.Value.GetIEEELowBits())); break;
            default: throw new InvalidOperationException($"no writer method for {value.BsonType}");
        }
    }

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
}
