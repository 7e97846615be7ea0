using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Replication.Bson;

/// <summary>
/// MongoDB Extended JSON v2: BSON → canonical or relaxed JSON, and Extended JSON → BSON. Conformance-tested on the
/// official BSON corpus. Writing validates the BSON first (<see cref="BsonValidator"/>), so malformed bytes fail with
/// a <see cref="BsonFormatException"/> rather than half-written JSON; parsing fails with <see cref="ExtendedJsonException"/>.
/// </summary>
public static class ExtendedJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays readable; what JSON requires (quotes, backslashes, control characters) is still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 2 * BsonValidator.MaxDepth + 4,
    };

    public static string ToCanonical(ReadOnlySpan<byte> bson) => ToJson(bson, ExtendedJsonMode.Canonical);

    public static string ToRelaxed(ReadOnlySpan<byte> bson) => ToJson(bson, ExtendedJsonMode.Relaxed);

    public static string ToJson(ReadOnlySpan<byte> bson, ExtendedJsonMode mode)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, bson.Length * 2));
        Write(bson, output, mode);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes the document as one JSON object to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<byte> bson, IBufferWriter<byte> output, ExtendedJsonMode mode)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        Write(bson, json, mode);
    }

    /// <summary>
    /// Writes the document as a JSON object at the writer's current position (a top-level value, an array item,
    /// or after a property name), so callers can stream many documents into one JSON text. The caller flushes.
    /// </summary>
    public static void Write(ReadOnlySpan<byte> bson, Utf8JsonWriter json, ExtendedJsonMode mode)
    {
        BsonValidator.Validate(bson);
        ExtendedJsonWriter.WriteDocument(bson, json, mode);
    }

    public static byte[] Parse(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        return Parse(utf8);
    }

    public static byte[] Parse(ReadOnlySpan<byte> utf8Json)
    {
        using var writer = new BsonWriter(Math.Max(64, utf8Json.Length));
        Parse(utf8Json, writer);
        return writer.ToArray();
    }

    /// <summary>
    /// Parses one Extended JSON object into <paramref name="writer"/>: as a top-level document, or as the value of the
    /// name the writer has pending (or the next array item), so JSON can be embedded in a document being built.
    /// After a failure the writer holds a partial document; <see cref="BsonWriter.Reset"/> it before reuse.
    /// </summary>
    public static void Parse(ReadOnlySpan<byte> utf8Json, BsonWriter writer) => ExtendedJsonParser.Parse(utf8Json, writer);

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out byte[] bson, out ExtendedJsonException? error)
    {
        try
        {
            bson = Parse(utf8Json);
            error = null;
            return true;
        }
        catch (ExtendedJsonException e)
        {
            bson = [];
            error = e;
            return false;
        }
    }
}
