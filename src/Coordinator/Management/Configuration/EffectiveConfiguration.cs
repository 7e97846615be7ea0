using System.Text.Json;
using Replication.Hocon;

namespace Replication.Coordinator.Management.Configuration;

/// <summary>
/// <c>GET /conf</c>: the <c>replication</c> section redacted exactly as <c>replication check-config</c> prints it, as
/// HOCON text or (<c>?format=json</c>) as JSON. The configuration never changes while a node runs, so both are made once.
/// </summary>
public sealed class EffectiveConfiguration
{
    private readonly Lazy<string> _hocon;
    private readonly Lazy<string> _json;

    public EffectiveConfiguration(HoconConfig config)
    {
        var redacted = new Lazy<HoconConfig>(() => config.GetConfig("replication").Redacted());
        _hocon = new Lazy<string>(() => redacted.Value.Render());
        _json = new Lazy<string>(() => ToJson(redacted.Value.Root));
    }

    public string Hocon => _hocon.Value;

    public string Json => _json.Value;

    private static string ToJson(HoconObject root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Write(writer, root);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, HoconValue value)
    {
        switch (value)
        {
            case HoconObject obj:
                writer.WriteStartObject();
                foreach (var (key, field) in obj.Fields)
                {
                    writer.WritePropertyName(key);
                    Write(writer, field);
                }
                writer.WriteEndObject();
                break;
            case HoconArray array:
                writer.WriteStartArray();
                foreach (var item in array.Items) Write(writer, item);
                writer.WriteEndArray();
                break;
            case HoconBoolean b:
                writer.WriteBooleanValue(b.Value);
                break;
            case HoconNull:
                writer.WriteNullValue();
                break;
            // HOCON keeps numbers as written; one that is not also a JSON number (e.g. "+1") stays a string rather than breaking the output.
            case HoconNumber n when IsJsonNumber(n.Text):
                writer.WriteRawValue(n.Text);
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
