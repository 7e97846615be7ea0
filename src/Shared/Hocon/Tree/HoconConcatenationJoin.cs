using System.Text;

namespace Replication.Hocon;

/// <summary>Joins the resolved parts of a value concatenation: strings join with their inner whitespace, lists append, objects merge.</summary>
internal static class HoconConcatenationJoin
{
    /// <param name="parts">Resolved parts; null stands for an undefined optional substitution.</param>
    /// <returns>The joined value, or null when every part was undefined.</returns>
    public static HoconValue? Join(IReadOnlyList<HoconValue?> parts, HoconOrigin origin)
    {
        var present = parts.Where(part => part is not null).Cast<HoconValue>().ToList();
        var values = present.Where(part => part is not HoconWhitespace).ToList();
        if (values.Count == 0) return null;
        if (present.Count == 1) return present[0];

        var composite = values.FirstOrDefault(value => value is HoconObject or HoconArray);
        if (composite is null)
        {
            var text = new StringBuilder();
            foreach (var part in present)
                text.Append(part switch
                {
                    HoconWhitespace whitespace => whitespace.Text,
                    HoconNull => "", // the spec: a substitution that is null joins as an empty string
                    _ => part.ToString(),
                });
            return new HoconString(text.ToString(), origin);
        }

        foreach (var value in values)
        {
            if (value.GetType() != composite.GetType())
                throw HoconException.At(value.Origin, $"cannot concatenate {value.KindName} with {composite.KindName} (from {composite.Origin})");
        }

        if (composite is HoconArray)
            return new HoconArray(values.SelectMany(value => ((HoconArray)value).Items).ToList(), origin);

        var merged = (HoconObject)values[0];
        foreach (var value in values.Skip(1))
            merged = HoconMerge.MergeObjects(merged, (HoconObject)value, HoconPath.Empty);
        return merged;
    }
}
