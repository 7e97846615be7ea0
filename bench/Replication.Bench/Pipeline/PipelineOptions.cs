using System.Globalization;
using System.Text.Json.Serialization;

namespace Replication.Bench.Pipeline;

/// <summary>The exact settings of one pipeline run; written into the results so a figure can be reproduced.</summary>
public sealed record PipelineOptions
{
    public const string Usage =
        "usage: Replication.Bench pipeline [--items N] [--segments N] [--page-size N] [--payload BYTES] [--load-parallelism N]\n" +
        "                                  [--rate WRITES_PER_S] [--duration SECONDS] [--backlog N] [--plain-scan on|off]\n" +
        "                                  [--phase-timeout MINUTES] [--source dynamodb-local|synthetic] [--output FILE]";

    public const string DynamoDbLocalSource = "dynamodb-local";
    /// <summary>Generated items served by `Replication.Testing synthetic-dynamo`: a full sync only (memory runs at sizes DynamoDB Local cannot scan).</summary>
    public const string SyntheticSource = "synthetic";

    /// <summary>
    /// `dynamodb-local` (a fresh DynamoDB Local, loaded first) or `synthetic`: a full sync of items that exist only
    /// virtually in a synthetic endpoint; no load, plain Scan, steady load or backlog.
    /// </summary>
    public string Source { get; init; } = DynamoDbLocalSource;
    [JsonIgnore] public bool Synthetic => Source == SyntheticSource;

    /// <summary>Items in the full-sync table; 100,000 keeps `./build.sh bench` well inside 15 minutes on a 2-core machine.</summary>
    public int Items { get; init; } = 100_000;
    /// <summary>Parallel Scan segments, for the node and for the plain Scan alike.</summary>
    public int Segments { get; init; } = 4;
    /// <summary>Scan Limit per page for both; 0 lets DynamoDB fill 1 MB pages.</summary>
    public int PageSize { get; init; }
    /// <summary>Length of the padding string attribute; 100 gives items of about 300 bytes.</summary>
    public int PayloadBytes { get; init; } = 100;
    public int LoadParallelism { get; init; } = 4;
    /// <summary>
    /// Steady incremental write load, writes per second, and how long it lasts (0 s: no steady load). 500/s is what
    /// DynamoDB Local acknowledges steadily on a busy 2-core machine (asked for 1,000/s it fell behind, at ~720/s).
    /// </summary>
    public int Rate { get; init; } = 500;
    public int DurationSeconds { get; init; } = 20;
    /// <summary>Records written while the node is stopped, then caught up: the incremental throughput run.</summary>
    public int Backlog { get; init; } = 20_000;
    /// <summary>Off for memory-only runs, where the baseline Scan would only add time.</summary>
    public bool PlainScan { get; init; } = true;
    /// <summary>How long the full sync and the catch-up may take each; a 1M-item table on DynamoDB Local needs far more than the default.</summary>
    public int PhaseTimeoutMinutes { get; init; } = 20;
    public string? Output { get; init; }

    public static PipelineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PipelineOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h") throw new ArgumentException(Usage);
            if (i + 1 >= args.Count) throw new ArgumentException($"pipeline: option '{name}' needs a value\n{Usage}");
            var value = args[++i];
            options = name switch
            {
                "--items" => options with { Items = Positive(name, value) },
                "--segments" => options with { Segments = Positive(name, value) },
                "--page-size" => options with { PageSize = NonNegative(name, value) },
                "--payload" => options with { PayloadBytes = Positive(name, value) },
                "--load-parallelism" => options with { LoadParallelism = Positive(name, value) },
                "--rate" => options with { Rate = Positive(name, value) },
                "--duration" => options with { DurationSeconds = NonNegative(name, value) },
                "--backlog" => options with { Backlog = NonNegative(name, value) },
                "--plain-scan" => options with { PlainScan = OnOff(name, value) },
                "--phase-timeout" => options with { PhaseTimeoutMinutes = Positive(name, value) },
                "--source" when value is DynamoDbLocalSource or SyntheticSource => options with { Source = value },
                "--source" => throw new ArgumentException($"pipeline: --source must be {DynamoDbLocalSource} or {SyntheticSource}, not '{value}'"),
                "--output" => options with { Output = value },
                _ => throw new ArgumentException($"pipeline: unknown option '{name}'\n{Usage}"),
            };
        }
        // The synthetic endpoint serves a full sync only: it has no stream, and a plain Scan of it would measure nothing.
        return options.Synthetic ? options with { PlainScan = false, DurationSeconds = 0, Backlog = 0 } : options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"pipeline: {name} must be a positive integer, not '{value}'");

    private static bool OnOff(string name, string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new ArgumentException($"pipeline: {name} must be on or off, not '{value}'"),
    };

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"pipeline: {name} must be a non-negative integer, not '{value}'");
}
