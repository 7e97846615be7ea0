namespace Replication.Hocon;

/// <summary>
/// Puts a later value over an earlier one at the same path. Objects merge key by key; any other later value replaces
/// the earlier one (so a null or a string between two objects stops them merging). When either side still holds a
/// substitution the decision waits for resolution. Self-references in the later value capture the earlier value here,
/// because "the earlier value" only has a meaning while the stack is merged in order.
/// </summary>
internal static class HoconMerge
{
    public static HoconValue Merge(HoconValue older, HoconValue newer, HoconPath path)
    {
        newer = CaptureSelfReferences(newer, path, older);
        switch (newer)
        {
            case HoconObject newerObject when older is HoconObject olderObject:
                return MergeObjects(olderObject, newerObject, path);
            case HoconObject when !older.IsResolved && older is not HoconObject and not HoconArray:
                return new HoconDelayedMerge(newer, older);
            case HoconObject or HoconArray or HoconString or HoconNumber or HoconBoolean or HoconNull:
                return newer;
            default:
                return new HoconDelayedMerge(newer, older);
        }
    }

    public static HoconObject MergeObjects(HoconObject older, HoconObject newer, HoconPath path)
    {
        var fields = new OrderedDictionary<string, HoconValue>(older.Fields, StringComparer.Ordinal);
        foreach (var (key, value) in newer.Fields)
            fields[key] = fields.TryGetValue(key, out var earlier) ? Merge(earlier, value, path.Append(key)) : value;
        // An object is where it was first opened; later layers only add to it.
        return new HoconObject(fields, older.Fields.Count == 0 ? newer.Origin : older.Origin);
    }

    private static HoconValue CaptureSelfReferences(HoconValue value, HoconPath path, HoconValue older)
    {
        switch (value)
        {
            case HoconSubstitution { PriorCaptured: false, IsSelfReference: true } substitution when substitution.LookupPath.StartsWith(path):
                return substitution.WithPrior(older, path);
            case HoconSubstitution { Prior: { } prior, PriorPath: { } priorPath } substitution:
            {
                // An earlier value from the same layer may itself refer back past the layer (`p = ${p} [u]` twice in one file).
                var captured = CaptureSelfReferences(prior, path, older);
                return ReferenceEquals(captured, prior) ? substitution : substitution.WithPrior(captured, priorPath);
            }
            case HoconObject obj when !obj.IsResolved:
            {
                OrderedDictionary<string, HoconValue>? changed = null;
                foreach (var (key, field) in obj.Fields)
                {
                    var captured = CaptureSelfReferences(field, path, older);
                    if (ReferenceEquals(captured, field)) continue;
                    changed ??= new OrderedDictionary<string, HoconValue>(obj.Fields, StringComparer.Ordinal);
                    changed[key] = captured;
                }

                return changed is null ? obj : new HoconObject(changed, obj.Origin);
            }
            case HoconArray array when !array.IsResolved:
            {
                var items = CaptureAll(array.Items, path, older);
                return items is null ? array : new HoconArray(items, array.Origin);
            }
            case HoconConcatenation concatenation:
            {
                var parts = CaptureAll(concatenation.Parts, path, older);
                return parts is null ? concatenation : new HoconConcatenation(parts, concatenation.Origin);
            }
            case HoconDelayedMerge merge:
            {
                var newer = CaptureSelfReferences(merge.Newer, path, older);
                var earlier = CaptureSelfReferences(merge.Older, path, older);
                return ReferenceEquals(newer, merge.Newer) && ReferenceEquals(earlier, merge.Older) ? merge : new HoconDelayedMerge(newer, earlier);
            }
            default:
                return value;
        }
    }

    private static List<HoconValue>? CaptureAll(IReadOnlyList<HoconValue> values, HoconPath path, HoconValue older)
    {
        List<HoconValue>? changed = null;
        for (var i = 0; i < values.Count; i++)
        {
            var captured = CaptureSelfReferences(values[i], path, older);
            if (ReferenceEquals(captured, values[i])) continue;
            changed ??= [.. values];
            changed[i] = captured;
        }

        return changed;
    }
}
