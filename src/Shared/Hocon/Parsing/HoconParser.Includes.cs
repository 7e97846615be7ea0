namespace Replication.Hocon.Parsing;

internal sealed partial class HoconParser
{
    private static readonly string[] IncludeFunctions = ["required(", "file(", "classpath(", "url("];

    /// <summary>
    /// `include "name"`, `include file("name")`, `include required("name")`, `include required(file("name"))`, read
    /// relative to the including file. As the spec says, a missing include is silently ignored unless wrapped in required().
    /// </summary>
    private bool TryParseInclude(HoconPath objectPath, out HoconObject included)
    {
        included = null!;
        var keyword = Peek;
        if (keyword.Kind != HoconTokenKind.Unquoted || keyword.Text != "include") return false;
        if (_tokens[_index + 1].Kind != HoconTokenKind.Whitespace) return false;
        var target = _tokens[_index + 2];
        var isInclude = target.Kind == HoconTokenKind.Quoted
                        || (target.Kind == HoconTokenKind.Unquoted && IncludeFunctions.Any(f => target.Text.StartsWith(f, StringComparison.Ordinal)));
        if (!isInclude) return false;
        _index += 2;

        var required = false;
        var opened = 0;
        if (Peek.Kind == HoconTokenKind.Unquoted)
        {
            var functions = Take();
            var rest = functions.Text;
            if (rest.StartsWith("required(", StringComparison.Ordinal))
            {
                required = true;
                opened++;
                rest = rest["required(".Length..];
            }

            if (rest.StartsWith("file(", StringComparison.Ordinal))
            {
                opened++;
                rest = rest["file(".Length..];
            }
            else if (rest.StartsWith("classpath(", StringComparison.Ordinal) || rest.StartsWith("url(", StringComparison.Ordinal))
            {
                throw HoconException.At(functions.Origin, $"'include {functions.Text}…' is not supported; use include \"file\" or include file(\"file\")");
            }

            if (rest.Length > 0) throw HoconException.At(functions.Origin, $"expected a quoted file name in the include, got '{functions.Text}'");
            SkipWhitespace();
        }

        if (Peek.Kind != HoconTokenKind.Quoted)
            throw HoconException.At(Peek.Origin, $"expected a quoted file name after 'include', got {Peek.Describe()}");
        var name = Take();
        if (opened > 0)
        {
            SkipWhitespace();
            var close = Peek;
            if (close.Kind != HoconTokenKind.Unquoted || close.Text != new string(')', opened))
                throw HoconException.At(close.Origin, $"expected '{new string(')', opened)}' to close the include, got {close.Describe()}");
            _index++;
        }

        included = ReadInclude(name, required, objectPath);
        return true;
    }

    private HoconObject ReadInclude(HoconToken name, bool required, HoconPath objectPath)
    {
        var directory = _context.Directory ?? Directory.GetCurrentDirectory();
        var fullPath = Path.GetFullPath(Path.Combine(directory, name.Text));
        if (!File.Exists(fullPath) && Path.GetExtension(fullPath).Length == 0 && File.Exists(fullPath + ".conf")) fullPath += ".conf";
        if (!File.Exists(fullPath))
        {
            if (required) throw HoconException.At(name.Origin, $"required include \"{name.Text}\" not found (looked for {fullPath})");
            return HoconObject.Empty(name.Origin);
        }

        if (_context.IncludeChain.Contains(fullPath, StringComparer.Ordinal))
            throw HoconException.At(name.Origin, $"include cycle: {string.Join(" -> ", _context.IncludeChain.Append(fullPath).Select(Path.GetFileName))}");

        var sourceDirectory = _context.Directory is null ? "" : Path.GetDirectoryName(_context.Source) ?? "";
        var source = Path.Combine(sourceDirectory, Path.GetRelativePath(directory, fullPath));
        var context = new HoconParseContext(source, Path.GetDirectoryName(fullPath), _context.BasePath.Append(objectPath),
            [.. _context.IncludeChain, fullPath]);
        return Parse(File.ReadAllText(fullPath), context);
    }
}
