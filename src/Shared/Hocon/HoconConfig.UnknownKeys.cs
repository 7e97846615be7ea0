namespace Replication.Hocon;

/// <summary>A key the reference does not know, most likely a typo.</summary>
public sealed record HoconWarning(string Path, HoconOrigin Origin, string? Suggestion)
{
    public string Message => $"{Origin.ToShortString()}: unknown key '{Path}'" + (Suggestion is null ? "" : $" (did you mean '{Suggestion}'?)");

    public override string ToString() => Message;
}

public sealed partial class HoconConfig
{
    /// <summary>
    /// Keys under <paramref name="under"/> in <paramref name="effective"/> that <paramref name="reference"/> lacks, each with
    /// where it was written and the closest known key. An empty object in the reference (`rename {}`) is a free-form map:
    /// any key is allowed below it.
    /// </summary>
    public static IReadOnlyList<HoconWarning> FindUnknownKeys(HoconConfig reference, HoconConfig effective, string under = "")
    {
        var path = under.Length == 0 ? HoconPath.Empty : HoconPath.Parse(under);
        var warnings = new List<HoconWarning>();
        if (reference.Root.Find(path) is HoconObject known && effective.Root.Find(path) is HoconObject actual)
        {
            var everyKnownPath = new List<HoconPath>();
            CollectPaths(known, path, everyKnownPath);
            Compare(known, actual, path, everyKnownPath, warnings);
        }

        return warnings;
    }

    /// <summary>
    /// Top-level keys of <paramref name="effective"/> that look like a misspelling of one of <paramref name="reference"/>'s
    /// (`replicaton { }`). Other top-level keys pass: a file may keep values there for its own substitutions.
    /// </summary>
    public static IReadOnlyList<HoconWarning> FindMisspelledRoots(HoconConfig reference, HoconConfig effective)
    {
        var warnings = new List<HoconWarning>();
        foreach (var (key, value) in effective.Root.Fields)
        {
            if (reference.Root.TryGetField(key, out _)) continue;
            if (Closest(key, reference.Root.Fields.Keys) is { } known)
                warnings.Add(new HoconWarning(HoconPath.Of(key).ToString(), FirstLeafOrigin(value), known));
        }

        return warnings;
    }

    private static void CollectPaths(HoconObject obj, HoconPath path, List<HoconPath> paths)
    {
        foreach (var (key, value) in obj.Fields)
        {
            paths.Add(path.Append(key));
            if (value is HoconObject child) CollectPaths(child, path.Append(key), paths);
        }
    }

    private static void Compare(HoconObject known, HoconObject actual, HoconPath path, List<HoconPath> everyKnownPath, List<HoconWarning> warnings)
    {
        if (known.Fields.Count == 0) return;
        foreach (var (key, value) in actual.Fields)
        {
            var fieldPath = path.Append(key);
            if (known.TryGetField(key, out var knownValue))
            {
                if (knownValue is HoconObject knownObject && value is HoconObject actualObject)
                    Compare(knownObject, actualObject, fieldPath, everyKnownPath, warnings);
                continue;
            }

            // A near sibling is the likely typo; failing that, the same key in another section is a key put in the wrong place.
            var suggestion = Closest(key, known.Fields.Keys) is { } sibling
                ? path.Append(sibling).ToString()
                : everyKnownPath.Where(p => p.Last == key).ToList() is [var elsewhere] ? elsewhere.ToString() : null;
            warnings.Add(new HoconWarning(fieldPath.ToString(), FirstLeafOrigin(value), suggestion));
        }
    }

    /// <summary>An object's own origin is where it was first opened; a leaf inside points at the user's line.</summary>
    private static HoconOrigin FirstLeafOrigin(HoconValue value) =>
        value is HoconObject { Fields.Count: > 0 } obj ? FirstLeafOrigin(obj.Fields.Values.First()) : value.Origin;

    private static string? Closest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Beyond about a third of the word, a "suggestion" is noise.
        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }

        return d[a.Length, b.Length];
    }
}
