namespace Replication.Hocon;

/// <summary>The layers of a configuration, lowest first: reference, application file, environment, command-line overrides.</summary>
public sealed record HoconLoadOptions
{
    /// <summary>The file with every key and its default (hocon/reference.conf).</summary>
    public string? ReferenceFile { get; init; }

    /// <summary>The reference text itself, when it is embedded rather than read from a file; used only without <see cref="ReferenceFile"/>.</summary>
    public string? ReferenceText { get; init; }

    /// <summary>The user's file; it must exist when given.</summary>
    public string? ApplicationFile { get; init; }

    /// <summary>
    /// When set, environment variables starting with this prefix are a layer of their own, named the way Lightbend
    /// config names them: after the prefix `_` is `.`, `__` is `-`, `___` is `_`
    /// (CONFIG_FORCE_replication_full__sync_segments=8 sets replication.full-sync.segments). The value is read as HOCON.
    /// </summary>
    public string? EnvironmentPrefix { get; init; }

    /// <summary>`key=value` strings (from `--set`), the value read as HOCON; later ones win.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The environment; null = the process environment. Answers `${VAR}` fallbacks and the environment layer.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}
