using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Replication.Actors;

/// <summary>Settings of one actor system; read from a configuration section with <see cref="FromConfiguration"/>.</summary>
public sealed record ActorSystemSettings
{
    public static ActorSystemSettings Default { get; } = new();

    /// <summary>How long Ask waits when the caller gives no timeout.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Back-off between restarts for strategies that do not set their own.</summary>
    public RestartBackoff RestartBackoff { get; init; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), 0.2);

    /// <summary>Restarts the default strategy allows within <see cref="SupervisorRetryWindow"/>; negative for unlimited.</summary>
    public int SupervisorMaxRetries { get; init; } = -1;

    public TimeSpan SupervisorRetryWindow { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Dead letters logged before logging stops (counting and publishing go on); 0 logs none.</summary>
    public int DeadLetterLogLimit { get; init; } = 10;

    /// <summary>User messages an actor processes in one turn before yielding its thread to other actors.</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>
    /// Reads relative keys from <paramref name="section"/>: <c>ask-timeout</c>, <c>throughput</c>,
    /// <c>dead-letters:log-limit</c>, <c>supervisor:min-backoff</c>, <c>supervisor:max-backoff</c>,
    /// <c>supervisor:random-factor</c>, <c>supervisor:max-retries</c>, <c>supervisor:within</c>. Durations take
    /// HOCON units (<c>200ms</c>, <c>30s</c>, <c>2m</c>) or <c>infinite</c>; missing keys keep the defaults.
    /// </summary>
    public static ActorSystemSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var defaults = Default;
        var minBackoff = ReadDuration(section, "supervisor:min-backoff") ?? defaults.RestartBackoff.Min;
        var maxBackoff = ReadDuration(section, "supervisor:max-backoff") ?? defaults.RestartBackoff.Max;
        if (maxBackoff < minBackoff)
        {
            throw new FormatException($"{KeyPath(section, "supervisor:max-backoff")}: {maxBackoff} is shorter than supervisor:min-backoff ({minBackoff}).");
        }

        var settings = new ActorSystemSettings
        {
            AskTimeout = ReadDuration(section, "ask-timeout") ?? defaults.AskTimeout,
            Throughput = ReadInt(section, "throughput", minimum: 1) ?? defaults.Throughput,
            DeadLetterLogLimit = ReadInt(section, "dead-letters:log-limit", minimum: 0) ?? defaults.DeadLetterLogLimit,
            SupervisorMaxRetries = ReadInt(section, "supervisor:max-retries", minimum: -1) ?? defaults.SupervisorMaxRetries,
            SupervisorRetryWindow = ReadDuration(section, "supervisor:within") ?? defaults.SupervisorRetryWindow,
            RestartBackoff = new RestartBackoff(
                minBackoff,
                maxBackoff,
                ReadDouble(section, "supervisor:random-factor") ?? defaults.RestartBackoff.RandomFactor),
        };
        return settings;
    }

    private static TimeSpan? ReadDuration(IConfiguration section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return HoconDuration.TryParse(text, out var value)
            ? value
            : throw new FormatException($"{KeyPath(section, key)}: '{text}' is not a duration (use e.g. 200ms, 30s, 2m or infinite).");
    }

    private static int? ReadInt(IConfiguration section, string key, int minimum)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new FormatException($"{KeyPath(section, key)}: '{text}' is not an integer of at least {minimum}.");
        }

        return value;
    }

    private static double? ReadDouble(IConfiguration section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new FormatException($"{KeyPath(section, key)}: '{text}' is not a non-negative number.");
        }

        return value;
    }

    private static string KeyPath(IConfiguration section, string key) =>
        section is IConfigurationSection { Path: { Length: > 0 } path } ? $"{path}:{key}" : key;
}
