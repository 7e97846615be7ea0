using System.Globalization;
using Replication.Hocon.Parsing;

namespace Replication.Hocon;

/// <summary>
/// A resolved configuration with typed reads. Paths are path expressions (`replication.full-sync.segments`). A value of
/// the wrong type is a <see cref="HoconException"/> naming the path and the file:line it came from.
/// </summary>
public sealed partial class HoconConfig
{
    private readonly HoconPath _prefix;

    public HoconConfig(HoconObject root) : this(root, HoconPath.Empty)
    {
    }

    private HoconConfig(HoconObject root, HoconPath prefix)
    {
        if (!root.IsResolved) throw new ArgumentException("The tree still holds substitutions; resolve it first.", nameof(root));
        Root = root;
        _prefix = prefix;
    }

    public HoconObject Root { get; }

    /// <summary>Parses and resolves one document (environment variables answer substitutions missing from it).</summary>
    public static HoconConfig ParseString(string text, string source = "string", Func<string, string?>? environment = null) =>
        new(HoconResolver.Resolve(HoconParser.Parse(text, HoconParseContext.ForText(source)), environment ?? Environment.GetEnvironmentVariable));

    public static HoconConfig ParseFile(string path, Func<string, string?>? environment = null) =>
        new(HoconResolver.Resolve(HoconDocument.ParseFile(path), environment ?? Environment.GetEnvironmentVariable));

    /// <summary>True when the path exists and is not null, as the spec's hasPath.</summary>
    public bool HasPath(string path) => Root.Find(HoconPath.Parse(path)) is { } value && value is not HoconNull;

    public HoconValue? GetValue(string path) => Root.Find(HoconPath.Parse(path));

    public string GetString(string path) => Read(path, "a string", value => value switch
    {
        HoconString s => s.Value,
        HoconNumber or HoconBoolean => value.ToString(),
        _ => null,
    });

    public string GetString(string path, string defaultValue) => HasPath(path) ? GetString(path) : defaultValue;

    public int GetInt(string path) => Read(path, "an integer", value =>
        int.TryParse(Scalar(value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : (int?)null);

    public long GetLong(string path) => Read(path, "an integer", value =>
        long.TryParse(Scalar(value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : (long?)null);

    public double GetDouble(string path) => Read(path, "a number", value =>
        Scalar(value) is { } text && HoconParser.IsNumber(text) ? double.Parse(text, CultureInfo.InvariantCulture) : (double?)null);

    /// <summary>true/false, or the strings yes/no and on/off.</summary>
    public bool GetBoolean(string path) => Read(path, "a boolean (true/false, yes/no, on/off)", value => value switch
    {
        HoconBoolean b => b.Value,
        HoconString s when HoconUnits.TryParseBoolean(s.Value, out var b) => b,
        _ => (bool?)null,
    });

    /// <summary>`30s`, `100 ms`, `5 minutes`, `2h`, `1d`; a bare number is milliseconds; `infinite` is <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan GetDuration(string path) => Read(path, "a duration (e.g. 500ms, 30s, 5 minutes, infinite)", value =>
        Scalar(value) is { } text && HoconUnits.TryParseDuration(text, out var duration) ? duration : (TimeSpan?)null);

    /// <summary>A size in bytes: `64MiB` (binary), `10kB` (decimal), `1k` (binary, as the spec says); a bare number is bytes.</summary>
    public long GetBytes(string path) => Read(path, "a size in bytes (e.g. 512, 10kB, 64MiB)", value =>
        Scalar(value) is { } text && HoconUnits.TryParseBytes(text, out var bytes) ? bytes : (long?)null);

    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Require(path);
        if (value is not HoconArray array) throw WrongType(path, value, "a list of strings");
        return array.Items.Select((item, i) => item switch
        {
            HoconString s => s.Value,
            HoconNumber or HoconBoolean => item.ToString()!,
            _ => throw WrongType($"{path}.{i}", item, "a string"),
        }).ToList();
    }

    /// <summary>The object at <paramref name="path"/> as a configuration of its own; paths in its messages stay absolute.</summary>
    public HoconConfig GetConfig(string path)
    {
        var value = Require(path);
        if (value is not HoconObject obj) throw WrongType(path, value, "an object");
        return new HoconConfig(obj, _prefix.Append(HoconPath.Parse(path)));
    }

    /// <summary>The keys directly under the object at <paramref name="path"/> (for free-form maps such as transform.rename).</summary>
    public IReadOnlyList<string> GetKeys(string path = "") =>
        (path.Length == 0 ? Root : GetConfig(path).Root).Fields.Keys.ToList();

    private T Read<T>(string path, string expected, Func<HoconValue, T?> convert) where T : struct
    {
        var value = Require(path);
        return convert(value) ?? throw WrongType(path, value, expected);
    }

    private string Read(string path, string expected, Func<HoconValue, string?> convert)
    {
        var value = Require(path);
        return convert(value) ?? throw WrongType(path, value, expected);
    }

    private HoconValue Require(string path)
    {
        var value = Root.Find(HoconPath.Parse(path));
        if (value is null) throw new HoconException($"{Absolute(path)}: missing (no such key in the configuration)", path: Absolute(path));
        if (value is HoconNull) throw new HoconException($"{Absolute(path)} at {value.Origin.ToShortString()}: is null", value.Origin, Absolute(path));
        return value;
    }

    private static string? Scalar(HoconValue value) => value switch
    {
        HoconString s => s.Value,
        HoconNumber n => n.Text,
        _ => null,
    };

    private HoconException WrongType(string path, HoconValue value, string expected)
    {
        var got = value switch
        {
            HoconString s => HoconPath.Quote(s.Value),
            HoconNumber or HoconBoolean => value.ToString()!,
            _ => value.KindName,
        };
        return new HoconException($"{Absolute(path)} at {value.Origin.ToShortString()}: expected {expected}, got {got}", value.Origin, Absolute(path));
    }

    private string Absolute(string path) => _prefix.Length == 0 ? path : $"{_prefix}.{path}";

    /// <summary>The redacted rendering, so that logging a configuration never leaks a secret; use <see cref="Render"/> for the raw text.</summary>
    public override string ToString() => Redacted().Render();
}
