using Microsoft.Extensions.Configuration;

namespace Replication.Hocon.Configuration;

public sealed class HoconConfigurationSource(Func<HoconConfig> load) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(load);
}
