using Microsoft.Extensions.Configuration;

namespace Replication.Hocon.Configuration;

/// <summary>
/// Exposes a <see cref="HoconConfig"/> to Microsoft.Extensions.Configuration: `a.b.c` becomes `a:b:c`, list elements
/// `a:0`, `a:1`. Values are the text as written (`30s`, `on`); read them with <see cref="HoconConfig"/> for units and words.
/// </summary>
public sealed class HoconConfigurationProvider(Func<HoconConfig> load) : ConfigurationProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(load().Root, prefix: null, data);
        Data = data;
    }

    private static void Flatten(HoconValue value, string? prefix, Dictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject obj:
                foreach (var (key, field) in obj.Fields) Flatten(field, prefix is null ? key : ConfigurationPath.Combine(prefix, key), data);
                break;
            case HoconArray array:
                for (var i = 0; i < array.Items.Count; i++) Flatten(array.Items[i], ConfigurationPath.Combine(prefix!, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                break;
            case HoconNull:
                data[prefix!] = null;
                break;
            default:
                data[prefix!] = value.ToString();
                break;
        }
    }
}
