using System.Collections;
using Replication.Hocon.Parsing;

namespace Replication.Hocon;

public sealed partial class HoconConfig
{
    /// <summary>Merges the layers of <paramref name="options"/> in order, then resolves substitutions across all of them.</summary>
    public static HoconConfig Load(HoconLoadOptions options)
    {
        var environment = options.Environment ?? ReadProcessEnvironment();
        var layers = new List<HoconObject>();
        if (options.ReferenceFile is not null) layers.Add(HoconDocument.ParseFile(options.ReferenceFile));
        else if (options.ReferenceText is not null) layers.Add(HoconDocument.ParseText(options.ReferenceText, "reference.conf"));
        if (options.ApplicationFile is not null) layers.Add(HoconDocument.ParseFile(options.ApplicationFile));
        if (options.EnvironmentPrefix is not null) layers.Add(EnvironmentLayer(options.EnvironmentPrefix, environment));
        for (var i = 0; i < options.Overrides.Count; i++) layers.Add(ParseOverride(options.Overrides[i], $"--set #{i + 1}"));
        return Resolve(layers, name => environment.GetValueOrDefault(name));
    }

    /// <summary>Merges unresolved documents, lowest first, and resolves the result.</summary>
    public static HoconConfig Resolve(IEnumerable<HoconObject> layers, Func<string, string?>? environment = null)
    {
        var root = HoconObject.Empty(HoconOrigin.Of("empty configuration"));
        foreach (var layer in layers) root = HoconMerge.MergeObjects(root, layer, HoconPath.Empty);
        return new HoconConfig(HoconResolver.Resolve(root, environment ?? System.Environment.GetEnvironmentVariable));
    }

    /// <summary>
    /// One `--set key=value` override: the key is a path expression, the value HOCON (`--set a.b=[1,2]`). Errors name the
    /// key but never echo the value of a secret or a URI, which may hold a password.
    /// </summary>
    public static HoconObject ParseOverride(string assignment, string source)
    {
        var equals = assignment.IndexOf('=');
        if (equals <= 0) throw new HoconException($"{source}: expected key=value (the argument is not shown: it may hold a secret)");
        var key = HoconPath.Parse(assignment[..equals]);
        var valueText = assignment[(equals + 1)..];
        var shown = MayHoldSecret(key, valueText) ? $"{key}=<not shown>" : assignment;
        HoconObject document;
        try
        {
            document = HoconDocument.ParseText($"{key} = {valueText}", source);
        }
        catch (HoconException e)
        {
            var reason = MayHoldSecret(key, valueText) ? "the value is not valid HOCON; quote it" : e.Message;
            throw new HoconException($"{source} ({shown}): {reason}", e.Origin);
        }

        // `--set a=1, b=2` would smuggle in a second key; every level down to the key must hold exactly one field.
        HoconValue level = document;
        foreach (var name in key.Keys)
        {
            if (level is not HoconObject { Fields.Count: 1 } obj || !obj.TryGetField(name, out level!))
                throw new HoconException($"{source}: '{shown}' sets more than one key; quote the value");
        }

        return document;
    }

    private static bool MayHoldSecret(HoconPath key, string valueText) =>
        IsSecretKey(key.Last) || key.Last.Contains("uri", StringComparison.OrdinalIgnoreCase) || valueText.Contains("://", StringComparison.Ordinal);

    private static HoconObject EnvironmentLayer(string prefix, IReadOnlyDictionary<string, string> environment)
    {
        var root = HoconObject.Empty(HoconOrigin.Of("environment"));
        foreach (var (name, text) in environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length == prefix.Length) continue;
            var keys = name[prefix.Length..].Replace("___", "\u0001").Replace("__", "-").Split('_')
                .Select(part => part.Replace('\u0001', '_')).ToArray();
            var source = $"environment variable {name}";
            HoconValue value;
            try
            {
                value = HoconDocument.ParseText($"v = {text}", source).Fields["v"];
            }
            catch (HoconException)
            {
                value = new HoconString(text, HoconOrigin.Of(source));
            }

            var layer = (HoconObject)HoconObject.Nest(HoconPath.Of(keys), value);
            root = HoconMerge.MergeObjects(root, layer, HoconPath.Empty);
        }

        return root;
    }

    private static Dictionary<string, string> ReadProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry is { Key: string name, Value: string value }) variables[name] = value;
        }

        return variables;
    }
}
