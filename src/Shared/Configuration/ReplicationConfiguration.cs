using Replication.AkkaCluster;
using Replication.Hocon;

namespace Replication.Configuration;

/// <summary>
/// Loads the layered configuration — the embedded reference.conf, the user's file, REPLICATION_-prefixed environment
/// variables, then <c>--set</c> overrides — and checks it: typed settings, and keys that reference.conf does not know
/// or that Akka.NET does not know inside an <c>akka { }</c> block (a typo is reported, never silently ignored): errors,
/// or with <c>strict-config = off</c> warnings.
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
        var known = HoconConfig.ParseString(reference, "reference.conf", _ => null);
        var unknown = HoconConfig.FindMisspelledRoots(known, config)
            .Concat(HoconConfig.FindUnknownKeys(known, config, under: ReplicationSettings.Root))
            .Concat(AkkaConfigFactory.FindUnknownKeys(config)).ToList();
        var problems = new List<string>();
        var strict = IsStrict(config);
        if (strict) problems.AddRange(unknown.Select(u => $"{u.Message}; set {ReplicationSettings.Root}.strict-config = off to only warn"));
        ReplicationSettings? settings = null;
        try
        {
            settings = ReplicationSettings.From(config);
        }
        catch (ConfigurationException e)
        {
            problems.AddRange(e.Problems);
        }
        if (problems.Count > 0) throw new ConfigurationException(problems);
        return new ReplicationConfiguration(config, settings!, strict ? [] : unknown);
    }

    // Read on its own, before the typed settings, so an unknown key and a bad value are reported together.
    private static bool IsStrict(HoconConfig config)
    {
        try
        {
            return !config.HasPath($"{ReplicationSettings.Root}.strict-config") || config.GetBoolean($"{ReplicationSettings.Root}.strict-config");
        }
        catch (HoconException)
        {
            return true;
        }
    }
}
