namespace Replication.Hocon.Parsing;

internal sealed partial class HoconParser
{
    private static readonly string[] IncludeFunctions = ["required(", "file(", "classpath(", "url("];

    /// <summary>
    /// `include "name"`, `include file("name")`, `include required("name")`, `include required(file("name"))`, read
    /// relative to the including file. As the spec says, a missing include is silently ignored unless wrapped in required().
    /// A leading `include` followed by `=`, `:`, `+=` or `{` is read as a plain key.
    /// </summary>
    private bool TryParseInclude(HoconPath objectPath, out HoconObject included)
    {
        included = null!;
        var keyword = Peek;
        if (keyword.Kind != HoconTokenKind.Unquoted || keyword.Text != "include") return false;
        var next = _index + 1;
        while (_tokens[next].Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline) next++;
        var target = _tokens[next];
        // The spec reserves a leading unquoted `include`, but `filter { include = [...] }` is too natural to reject:
        // followed by a key-value separator it can only be a key.
        if (target.Kind is HoconTokenKind.Equals or HoconTokenKind.Colon or HoconTokenKind.PlusEquals or HoconTokenKind.OpenBrace) return false;
        var isInclude = target.Kind == HoconTokenKind.Quoted
                        || (target.Kind == HoconTokenKind.Unquoted && IncludeFunctions.Any(f => target.Text.StartsWith(f, StringComparison.Ordinal)));
        if (!isInclude)
        {
            throw HoconException.At(target.Origin,
                $"expected a quoted file name after 'include', got {target.Describe()} (write \"include\" in quotes to use it as a key)");
        }

        _index = next;

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
        // Without an extension the name is a base name: JSON first, then HOCON over it, as the spec orders them.
        var candidates = Path.GetExtension(fullPath).Length == 0 ? [fullPath + ".json", fullPath + ".conf"] : new[] { fullPath };
        var found = candidates.Where(File.Exists).ToList();
        if (found.Count == 0)
        {
            if (required) throw HoconException.At(name.Origin, $"required include \"{name.Text}\" not found (looked for {string.Join(" and ", candidates)})");
            return HoconObject.Empty(name.Origin);
        }

        var result = HoconObject.Empty(name.Origin);
        foreach (var file in found) result = HoconMerge.MergeObjects(result, ReadIncludedFile(name, file, directory, objectPath), _context.BasePath.Append(objectPath));
        return result;
    }

    private HoconObject ReadIncludedFile(HoconToken name, string fullPath, string directory, HoconPath objectPath)
    {
        if (_context.IncludeChain.Contains(fullPath, StringComparer.Ordinal))
            throw HoconException.At(name.Origin, $"include cycle: {string.Join(" -> ", _context.IncludeChain.Append(fullPath).Select(Path.GetFileName))}");

        var sourceDirectory = _context.Directory is null ? "" : Path.GetDirectoryName(_context.Source) ?? "";
        var source = Path.Combine(sourceDirectory, Path.GetRelativePath(directory, fullPath));
        var context = new HoconParseContext(source, Path.GetDirectoryName(fullPath), _context.BasePath.Append(objectPath),
            [.. _context.IncludeChain, fullPath]);
        return Parse(File.ReadAllText(fullPath), context);
    }
}
