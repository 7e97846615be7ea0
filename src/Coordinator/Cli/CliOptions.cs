using System.CommandLine;
using Microsoft.Extensions.Logging;
using Replication.Configuration;
using Replication.Coordinator.Hosting.Startup;
using Replication.Hocon;

namespace Replication.Coordinator.Cli;

/// <summary>The process exit codes; README's "Exit codes" lists them for operators and scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int ReplicationFailed = 1;
    public const int BadConfiguration = 2;
    public const int ManagementUnreachable = 3;
    public const int SourceUnreachable = 4;
    public const int SourceCredentials = 5;
    public const int TargetUnreachable = 6;
    public const int TargetCredentials = 7;
    public const int ManagementPortUnavailable = 8;
    /// <summary><c>replication verify</c>: the source and the target differ.</summary>
    public const int DifferencesFound = 10;

    public static int For(StartupFailureKind kind) => kind switch
    {
        StartupFailureKind.BadConfiguration => BadConfiguration,
        StartupFailureKind.SourceUnreachable => SourceUnreachable,
        StartupFailureKind.SourceCredentials => SourceCredentials,
        StartupFailureKind.TargetUnreachable => TargetUnreachable,
        StartupFailureKind.TargetCredentials => TargetCredentials,
        StartupFailureKind.ManagementPort => ManagementPortUnavailable,
        _ => ReplicationFailed,
    };
}

internal static class CliOptions
{
    public static readonly Option<FileInfo> Config = new("--config", "-c")
    {
        Description = "The HOCON configuration file (see hocon/reference.conf for every key)",
        Required = true,
    };

    public static readonly Option<string[]> Set = new("--set")
    {
        Description = "Override a key, e.g. --set replication.full-sync.segments=8 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// Loads and checks the configuration, connection strings included (parsed by the driver as the node will); on
    /// failure prints every problem to stderr and returns null.
    /// </summary>
    public static ReplicationConfiguration? LoadConfiguration(ParseResult parse)
    {
        var file = parse.GetValue(Config)!;
        try
        {
            var loaded = ReplicationConfiguration.Load(file.FullName, parse.GetValue(Set) ?? []);
            var problems = StartupChecks.ConnectionStringProblems(loaded.Settings);
            if (problems.Count > 0) throw new ConfigurationException(problems);
            return loaded;
        }
        catch (HoconException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
        }
        return null;
    }

    public static ILoggerFactory Loggers(LogLevel minimum = LogLevel.Information) => LoggerFactory.Create(builder => builder
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(minimum)
        .AddFilter("Akka", LogLevel.Warning));
}
