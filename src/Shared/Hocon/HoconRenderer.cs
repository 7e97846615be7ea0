using System.Text;

namespace Replication.Hocon;

/// <summary>Writes a resolved tree back as HOCON that this parser reads again, optionally with each value's origin as a comment.</summary>
public static class HoconRenderer
{
    public static string Render(HoconValue value, bool withOrigins = false)
    {
        var builder = new StringBuilder();
        if (value is HoconObject root)
        {
            foreach (var (key, field) in root.Fields) WriteField(builder, key, field, 0, withOrigins);
        }
        else
        {
            WriteValue(builder, value, 0, withOrigins);
            builder.Append('\n');
        }

        return builder.ToString();
    }

    private static void WriteField(StringBuilder builder, string key, HoconValue value, int depth, bool withOrigins)
    {
        if (withOrigins && value is not HoconObject) builder.Append(' ', depth * 2).Append("# ").Append(value.Origin.ToShortString()).Append('\n');
        builder.Append(' ', depth * 2).Append(HoconPath.RenderKey(key));
        builder.Append(value is HoconObject ? " " : " = ");
        WriteValue(builder, value, depth, withOrigins);
        builder.Append('\n');
    }

    private static void WriteValue(StringBuilder builder, HoconValue value, int depth, bool withOrigins)
    {
        switch (value)
        {
            case HoconObject obj when obj.Fields.Count == 0:
                builder.Append("{}");
                break;
            case HoconObject obj:
                builder.Append("{\n");
                foreach (var (key, field) in obj.Fields) WriteField(builder, key, field, depth + 1, withOrigins);
                builder.Append(' ', depth * 2).Append('}');
                break;
            case HoconArray array:
                builder.Append('[');
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    WriteValue(builder, array.Items[i], depth + 1, withOrigins: false);
                }

                builder.Append(']');
                break;
            case HoconString s:
                builder.Append(HoconPath.Quote(s.Value));
                break;
            case HoconNumber or HoconBoolean or HoconNull:
                builder.Append(value);
                break;
            default:
                throw new InvalidOperationException($"Cannot render {value.KindName} at {value.Origin}; resolve the tree first.");
        }
    }
}
