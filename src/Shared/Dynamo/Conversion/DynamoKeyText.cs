using System.Text;
using System.Text.Json;

namespace Replication.Dynamo.Conversion;

/// <summary>
/// Renders an item key as short readable text, <c>id=abc, sort=5</c>, for error messages, logs and dead letters.
/// Strings print bare unless empty or holding the separators; binary prints as <c>base64:…</c>; long values are cut.
/// Malformed input throws the reader's JsonException or an InvalidOperationException.
/// </summary>
public static class DynamoKeyText
{
    private const int MaxValueChars = 100;

    /// <summary>Every attribute of the Keys map the reader is on, in its order; leaves the reader on the map's EndObject.</summary>
    public static string Describe(ref Utf8JsonReader keysReader)
    {
        Expect(ref keysReader, JsonTokenType.StartObject, "a key map");
        var sb = new StringBuilder();
        while (Next(ref keysReader) != JsonTokenType.EndObject)
        {
            var name = keysReader.GetString()!;
            Next(ref keysReader);
            Append(sb, name, ref keysReader);
        }
        return sb.ToString();
    }

    /// <summary>The key attributes of the item the reader is on, in schema order; leaves the reader on the item's EndObject.</summary>
    public static string Describe(ref Utf8JsonReader itemReader, TableKeySchema key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string? hash = null, range = null;
        ReadKeyAttributes(ref itemReader, key, ref hash, ref range);
        return Render(key, hash, range);
    }

    /// <summary>
    /// As <see cref="Describe(ref Utf8JsonReader, TableKeySchema)"/> on a copy of the reader, for an item that failed
    /// to convert: the key attributes read before any break in the JSON still name the item; null when none were.
    /// </summary>
    internal static string? TryDescribe(Utf8JsonReader itemReader, TableKeySchema key)
    {
        string? hash = null, range = null;
        try
        {
            ReadKeyAttributes(ref itemReader, key, ref hash, ref range);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            if (hash is null && range is null) return null;
        }
        return Render(key, hash, range);
    }

    private static void ReadKeyAttributes(ref Utf8JsonReader itemReader, TableKeySchema key, ref string? hash, ref string? range)
    {
        Expect(ref itemReader, JsonTokenType.StartObject, "an item");
        while (Next(ref itemReader) != JsonTokenType.EndObject)
        {
            var isHash = itemReader.ValueTextEquals(key.HashKey);
            var isRange = !isHash && key.RangeKey is not null && itemReader.ValueTextEquals(key.RangeKey);
            Next(ref itemReader);
            if (isHash || isRange)
            {
                var sb = new StringBuilder();
                AppendValue(sb, ref itemReader);
                if (isHash) hash = sb.ToString();
                else range = sb.ToString();
            }
            else
            {
                itemReader.Skip();
            }
        }
    }

    private static string Render(TableKeySchema key, string? hash, string? range)
    {
        var text = $"{key.HashKey}={hash ?? "(missing)"}";
        return key.RangeKey is null ? text : $"{text}, {key.RangeKey}={range ?? "(missing)"}";
    }

    private static void Append(StringBuilder sb, string name, ref Utf8JsonReader reader)
    {
        if (sb.Length > 0) sb.Append(", ");
        sb.Append(name).Append('=');
        AppendValue(sb, ref reader);
    }

    // The reader is on an AttributeValue's StartObject; leaves it on its EndObject.
    private static void AppendValue(StringBuilder sb, ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an attribute value");
        if (Next(ref reader) != JsonTokenType.PropertyName)
        {
            sb.Append("{}");
            return;
        }
        var descriptor = reader.GetString()!;
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.String && descriptor is "S" or "N" or "B")
        {
            var text = Cut(reader.GetString()!);
            if (descriptor == "B") sb.Append("base64:").Append(text);
            else if (descriptor == "S" && (text.Length == 0 || text.Contains(", ") || text.Contains('='))) sb.Append(JsonSerializer.Serialize(text));
            else sb.Append(text);
        }
        else
        {
            sb.Append('{').Append(descriptor).Append('…').Append('}');
            reader.Skip();
        }
        while (Next(ref reader) != JsonTokenType.EndObject) reader.Skip();
    }

    private static string Cut(string text) => text.Length <= MaxValueChars ? text : string.Concat(text.AsSpan(0, MaxValueChars), "…");

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new InvalidOperationException("the key's JSON ends early");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type) throw new InvalidOperationException($"expected {what} ({type}), found {reader.TokenType}");
    }
}
