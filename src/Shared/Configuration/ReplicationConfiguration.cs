using Replication.AkkaCluster;
using Replication.Hocon;

namespace Replication.Configuration;

/// <summary>
/// Loads the layered configuration — the embedded reference.conf, the user's file, REPLICATION_-prefixed environment
/// variables, then <c>--set</c> overrides — and checks it: typed settings, plus warnings for keys that
/// reference.conf does not know, and keys in an <c>akka { }</c> block that Akka.NET does not know (a typo is reported,
/// never silently ignored).
/// </summary>
public sealed record ReplicationConfiguration(HoconConfig Config, ReplicationSettings Settings, IReadOnlyList<HoconWarning> Warnings)
{
    public const string EnvironmentPrefix = "REPLICATION_CONFIG_";

    public static string ReferenceText
    {
        get
        {
            using var stream = typeof(ReplicationConfiguration).Assembly.GetManifestResourceStream("Replication.reference.conf")
                ?? throw new InvalidOperationException("reference.conf is not embedded in Replication.Shared");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <exception cref="HoconException">a file cannot be read or parsed (the message names file, line and column)</exception>
    /// <exception cref="ConfigurationException">values are invalid (each problem names its key and file:line)</exception>
    public static ReplicationConfiguration Load(string? applicationFile, IReadOnlyList<string>? overrides = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (applicationFile is not null && !File.Exists(applicationFile))
            throw new HoconException($"{applicationFile}: configuration file not found");
        var reference = ReferenceText;
        var config = HoconConfig.Load(new HoconLoadOptions
        {
            ReferenceText = reference,
            ApplicationFile = applicationFile,
            EnvironmentPrefix = EnvironmentPrefix,
            Overrides = overrides ?? [],
            Environment = environment,
        });
        var warnings = HoconConfig.FindUnknownKeys(HoconConfig.ParseString(reference, "reference.conf", _ => null), config, under: ReplicationSettings.Root)
            .Concat(AkkaConfigFactory.FindUnknownKeys(config)).ToList();
        return new ReplicationConfiguration(config, ReplicationSettings.From(config), warnings);
    }
}
