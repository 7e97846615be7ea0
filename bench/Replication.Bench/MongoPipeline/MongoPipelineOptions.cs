using System.Globalization;

namespace Replication.Bench.MongoPipeline;

/// <summary>The exact settings of one MongoDB → MongoDB run; written into the results so a figure can be reproduced.</summary>
public sealed record MongoPipelineOptions
{
    public const string Usage =
        "usage: Replication.Bench mongo-pipeline [--documents N] [--collections K] [--payload BYTES] [--backlog N]\n" +
        "                                        [--phase-timeout MINUTES] [--output FILE]";

    /// <summary>Documents in the source across all collections; 100,000 like the DynamoDB run's items.</summary>
    public int Documents { get; init; } = 100_000;
    /// <summary>Source collections (one database, `bench`), the documents spread evenly; one copier and one plain cursor each.</summary>
    public int Collections { get; init; } = 4;
    /// <summary>Length of the padding string field; 100 gives documents of about 400 bytes of BSON.</summary>
    public int PayloadBytes { get; init; } = 100;
    /// <summary>Change events (70 % inserts, 20 % updates, 10 % deletes) written while the node is stopped, then caught up; 0 skips the catch-up.</summary>
    public int Backlog { get; init; } = 20_000;
    /// <summary>How long the full sync and the catch-up may take each.</summary>
    public int PhaseTimeoutMinutes { get; init; } = 20;
    public string? Output { get; init; }

    public static MongoPipelineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new MongoPipelineOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h") throw new ArgumentException(Usage);
            if (i + 1 >= args.Count) throw new ArgumentException($"mongo-pipeline: option '{name}' needs a value\n{Usage}");
            var value = args[++i];
            options = name switch
            {
                "--documents" => options with { Documents = Positive(name, value) },
                "--collections" => options with { Collections = Positive(name, value) },
                "--payload" => options with { PayloadBytes = Positive(name, value) },
                "--backlog" => options with { Backlog = NonNegative(name, value) },
                "--phase-timeout" => options with { PhaseTimeoutMinutes = Positive(name, value) },
                "--output" => options with { Output = value },
                _ => throw new ArgumentException($"mongo-pipeline: unknown option '{name}'\n{Usage}"),
            };
        }
        // Updates and deletes touch documents of the initial load, each one once.
        if ((options.Backlog * 3 + 9) / 10 > options.Documents)
            throw new ArgumentException($"mongo-pipeline: --backlog {options.Backlog} updates and deletes more documents than --documents {options.Documents} holds");
        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"mongo-pipeline: {name} must be a positive integer, not '{value}'");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"mongo-pipeline: {name} must be a non-negative integer, not '{value}'");
}
