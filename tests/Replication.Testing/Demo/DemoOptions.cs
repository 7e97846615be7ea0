using System.Globalization;
using Replication.Testing.DynamoLocal;

namespace Replication.Testing.Demo;

/// <summary>What the demo does, from <c>Replication.Testing demo [options]</c>; the defaults are the documented demo.</summary>
public sealed record DemoOptions
{
    public const string Usage =
        "usage: Replication.Testing demo [--mongo] [--items N] [--orders N] [--churn-seconds S] [--changes-per-second N] [--timeout-seconds S]\n" +
        "                                [--replication PATH-TO-replication] [--config hocon/demo.conf]";

    // --mongo (MongoDB → MongoDB between two in-memory servers) is taken by Program before these are parsed.
    public int Items { get; init; } = 3000;
    public int Orders { get; init; } = 300;
    public TimeSpan ChurnDuration { get; init; } = TimeSpan.FromSeconds(10);
    public int ChangesPerSecond { get; init; } = 25;
    /// <summary>How long the full sync, and afterwards the convergence of target and source, may each take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);
    public required string ReplicationExecutable { get; init; }
    public required string ConfigFile { get; init; }

    /// <summary>Parses the arguments after <c>demo</c>; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        var root = RepositoryRoot.Find();
        var options = new DemoOptions
        {
            ReplicationExecutable = Path.Combine(root, "src", "Coordinator", "bin", BuildConfiguration(), "net10.0", "replication"),
            ConfigFile = Path.Combine(root, "hocon", "demo.conf"),
        };
        for (var i = 0; i < args.Count; i += 2)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"demo: '{name}' needs a value");
            options = name switch
            {
                "--items" => options with { Items = Count(name, value, min: 1) },
                "--orders" => options with { Orders = Count(name, value, min: 0) },
                "--churn-seconds" => options with { ChurnDuration = TimeSpan.FromSeconds(Count(name, value, min: 0)) },
                "--changes-per-second" => options with { ChangesPerSecond = Count(name, value, min: 1) },
                "--timeout-seconds" => options with { Timeout = TimeSpan.FromSeconds(Count(name, value, min: 1)) },
                "--replication" => options with { ReplicationExecutable = Path.GetFullPath(value) },
                "--config" => options with { ConfigFile = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"demo: unknown option '{name}'"),
            };
        }
        return options;
    }

    private static int Count(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"demo: {name} must be a whole number ≥ {min}, not '{value}'");

    /// <summary>Release or Debug: the configuration this driver was built in, so it finds the matching `replication`.</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";
}
