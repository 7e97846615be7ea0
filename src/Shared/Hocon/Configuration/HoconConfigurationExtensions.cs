using Microsoft.Extensions.Configuration;
using Replication.Hocon.Configuration;

namespace Replication.Hocon;

public static class HoconConfigurationExtensions
{
    /// <summary>Adds an already loaded configuration.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, HoconConfig config) =>
        builder.Add(new HoconConfigurationSource(() => config));

    /// <summary>Adds the layered configuration described by <paramref name="options"/>, loaded when the configuration is built.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, HoconLoadOptions options) =>
        builder.Add(new HoconConfigurationSource(() => HoconConfig.Load(options)));
}
