namespace Replication.Hocon.Parsing;

/// <summary>Parses one document into an unresolved tree, for layering several documents before resolving them together.</summary>
public static class HoconDocument
{
    public static HoconObject ParseText(string text, string source) => HoconParser.Parse(text, HoconParseContext.ForText(source));

    public static HoconObject ParseFile(string path)
    {
        if (!File.Exists(path)) throw new HoconException($"{path}: configuration file not found", HoconOrigin.Of(path));
        return HoconParser.Parse(File.ReadAllText(path), HoconParseContext.ForFile(path));
    }
}
