using System.Text;
using System.Text.Json;

namespace Replication.Dynamo.Conversion;

/// <summary>
/// Names the attribute at a reader offset inside an item, as <c>address.lines[2]</c>, by replaying the item from its
/// start. Only failures pay for it; the conversion itself keeps no path.
/// </summary>
internal static class AttributePath
{
    /// <param name="reader">A copy of the reader on the item's StartObject.</param>
    /// <param name="offset">The offset of the offending token.</param>
    public static string? Locate(Utf8JsonReader reader, long offset)
    {
        // Labels per container level: level 0 holds the item's attribute names, odd levels the type descriptors of
        // AttributeValues, even levels the names inside M and the indexes inside L and sets.
        var labels = new List<string>();
        var arrayIndexes = new List<int>(); // -1 for an object
        try
        {
            if (reader.TokenType != JsonTokenType.StartObject) return null;
            arrayIndexes.Add(-1);
            while (reader.Read())
            {
                if (reader.TokenStartIndex > offset) break;
                var level = arrayIndexes.Count - 1;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        SetLabel(labels, level, NameOf(ref reader));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        arrayIndexes.RemoveAt(level);
                        if (labels.Count > level) labels.RemoveRange(level, labels.Count - level);
                        if (arrayIndexes.Count == 0) return Render(labels);
                        break;
                    default:
                        if (arrayIndexes[level] >= 0)
                        {
                            SetLabel(labels, level, $"[{arrayIndexes[level]}]");
                            arrayIndexes[level]++;
                        }
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            arrayIndexes.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                }
                if (reader.TokenStartIndex >= offset) break;
            }
        }
        catch (JsonException)
        {
            // The replay stops where the item's JSON breaks, which is where the conversion failed too.
        }
        catch (InvalidOperationException)
        {
        }
        return Render(labels);
    }

    private static void SetLabel(List<string> labels, int level, string label)
    {
        while (labels.Count <= level) labels.Add("");
        labels[level] = label;
        if (labels.Count > level + 1) labels.RemoveRange(level + 1, labels.Count - level - 1);
    }

    private static string NameOf(ref Utf8JsonReader reader)
    {
        using var name = Utf8Value.Of(ref reader);
        return Utf8Value.Printable(name.Span, maxChars: 128);
    }

    private static string? Render(List<string> labels)
    {
        var sb = new StringBuilder();
        for (var level = 0; level < labels.Count; level += 2)
        {
            var label = labels[level];
            if (label.Length == 0) continue;
            if (sb.Length > 0 && label[0] != '[') sb.Append('.');
            sb.Append(label);
        }
        return sb.Length == 0 ? null : sb.ToString();
    }
}
