namespace Replication.Hocon;

/// <summary>
/// Replaces every substitution in a merged tree by the value it names. Values are resolved lazily and memoised by node,
/// so `${a.b}` resolves only what lies on the way to a.b; a node met again while it is being resolved is a cycle.
/// A path absent from the configuration falls back to the environment variable of that name.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<HoconValue> _inProgress = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconSubstitution> _chain = [];

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment) =>
        root.IsResolved ? root : (HoconObject)new HoconResolver(root, environment).Resolve(root)!;

    /// <returns>The resolved value, or null when it is an undefined optional substitution.</returns>
    private HoconValue? Resolve(HoconValue value)
    {
        if (value.IsResolved) return value;
        if (_resolved.TryGetValue(value, out var done)) return done;
        if (!_inProgress.Add(value)) throw Cycle(value);
        if (value is HoconSubstitution substitution) _chain.Add(substitution);
        try
        {
            var result = value switch
            {
                HoconObject obj => ResolveObject(obj),
                HoconArray array => ResolveArray(array),
                HoconSubstitution s => ResolveSubstitution(s),
                HoconConcatenation concatenation => HoconConcatenationJoin.Join(concatenation.Parts.Select(Resolve).ToList(), concatenation.Origin),
                HoconDelayedMerge merge => ResolveMerge(merge),
                _ => value,
            };
            _resolved[value] = result;
            return result;
        }
        finally
        {
            _inProgress.Remove(value);
            if (value is HoconSubstitution) _chain.RemoveAt(_chain.Count - 1);
        }
    }

    private HoconObject ResolveObject(HoconObject obj)
    {
        var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (key, field) in obj.Fields)
        {
            if (Resolve(field) is { } value) fields[key] = value;
        }

        return new HoconObject(fields, obj.Origin);
    }

    private HoconArray ResolveArray(HoconArray array)
    {
        var items = new List<HoconValue>(array.Items.Count);
        foreach (var item in array.Items)
        {
            if (Resolve(item) is { } value) items.Add(value);
        }

        return new HoconArray(items, array.Origin);
    }

    private HoconValue? ResolveMerge(HoconDelayedMerge merge)
    {
        var newer = Resolve(merge.Newer);
        if (newer is null) return Resolve(merge.Older);
        if (newer is not HoconObject newerObject) return newer;
        return Resolve(merge.Older) is HoconObject olderObject ? HoconMerge.MergeObjects(olderObject, newerObject, HoconPath.Empty) : newer;
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution substitution)
    {
        HoconValue? found;
        if (substitution.IsSelfReference)
        {
            // The field refers to its own earlier value; with none, only the environment can answer.
            found = substitution is { Prior: { } prior, PriorPath: { } priorPath }
                ? Navigate(prior, substitution.LookupPath.Keys.Skip(priorPath.Length))
                : null;
        }
        else
        {
            found = substitution.IncludePrefix.Length > 0 ? Lookup(substitution.LookupPath) : null;
            found ??= Lookup(substitution.Path);
        }

        if (found is not null) return found;

        var name = string.Join('.', substitution.Path.Keys);
        if (_environment(name) is { Length: > 0 } variable) return new HoconString(variable, HoconOrigin.Of($"environment variable {name}"));
        if (substitution.Optional) return null;
        throw HoconException.At(substitution.Origin,
            $"could not resolve {substitution}: no such key in the configuration and no environment variable {name}" +
            (substitution.IsSelfReference ? " (it refers to its own earlier value, and there is none)" : ""));
    }

    /// <summary>Walks the merged tree to <paramref name="path"/>, resolving only what is needed to step through.</summary>
    private HoconValue? Lookup(HoconPath path) => Navigate(_root, path.Keys);

    private HoconValue? Navigate(HoconValue start, IEnumerable<string> keys)
    {
        var current = start;
        foreach (var key in keys)
        {
            if (current is not HoconObject)
            {
                var resolved = Resolve(current);
                if (resolved is not HoconObject) return null;
                current = resolved;
            }

            if (!((HoconObject)current).TryGetField(key, out var next)) return null;
            current = next;
        }

        return Resolve(current);
    }

    private HoconException Cycle(HoconValue value)
    {
        var steps = _chain.Select(s => $"{s} at {s.Origin}").ToList();
        var origin = _chain.Count > 0 ? _chain[0].Origin : value.Origin;
        return HoconException.At(origin, $"substitution cycle: {string.Join(" -> ", steps)} -> back to a value that is still being resolved ({value.Origin})");
    }
}
