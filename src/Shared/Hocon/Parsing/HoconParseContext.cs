namespace Replication.Hocon.Parsing;

/// <summary>What a parse needs to know about where its text came from.</summary>
/// <param name="Source">How origins name the text: a file path, or a description such as "--set #1".</param>
/// <param name="Directory">Directory that relative includes are read from; null = the current directory.</param>
/// <param name="BasePath">Where the text sits in the whole configuration (non-empty inside an include).</param>
/// <param name="IncludeChain">Files being included, to stop an include cycle.</param>
internal sealed record HoconParseContext(string Source, string? Directory, HoconPath BasePath, IReadOnlyList<string> IncludeChain)
{
    public static HoconParseContext ForText(string source) => new(source, null, HoconPath.Empty, []);

    public static HoconParseContext ForFile(string path) =>
        new(path, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)), HoconPath.Empty, [System.IO.Path.GetFullPath(path)]);
}
