using System.CommandLine;
using Microsoft.Extensions.Logging;
using Replication.Configuration;
using Replication.Hocon;

namespace Replication.Coordinator.Cli;

internal static class ExitCodes
{
    public const int Success = 0;
    public const int ReplicationFailed = 1;
    public const int BadConfiguration = 2;
    public const int ManagementUnreachable = 3;
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

    /// <summary>Loads and checks the configuration; on failure prints every problem to stderr and returns null.</summary>
    public static ReplicationConfiguration? LoadConfiguration(ParseResult parse)
    {
        var file = parse.GetValue(Config)!;
        try
        {
            return ReplicationConfiguration.Load(file.FullName, parse.GetValue(Set) ?? []);
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
        .AddFilter("Replication.Actors", LogLevel.Warning));
}
