using Microsoft.Extensions.Logging;
using Replication.Metrics;

namespace Replication.Dependencies;

/// <summary>
/// What an operator on call needs to know about the databases a running node depends on. Every fault is counted in
/// <c>replication_errors_total{kind,dependency}</c>; a dependency that stays down longer than <c>warnAfter</c> is logged
/// at warning with its latest cause, again every <c>repeatEvery</c> while it stays down, and once when it recovers.
/// The node retries forever meanwhile: this only makes the waiting visible.
/// </summary>
public sealed class DependencyHealth : IDisposable
{
    public const string Source = "dynamodb";
    public const string Target = "mongodb-target";
    public const string Checkpoints = "mongodb-checkpoint";

    private readonly ReplicationMetrics _metrics;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _warnAfter;
    private readonly TimeSpan _repeatEvery;
    private readonly Dictionary<string, Outage> _down = new(StringComparer.Ordinal);
    private readonly ITimer _tick;

    public DependencyHealth(ReplicationMetrics metrics, ILogger log, TimeProvider? clock = null, TimeSpan? warnAfter = null, TimeSpan? repeatEvery = null)
    {
        _metrics = metrics;
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _warnAfter = warnAfter ?? TimeSpan.FromSeconds(5);
        _repeatEvery = repeatEvery ?? TimeSpan.FromSeconds(30);
        _tick = _clock.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>A fault that does not mean the dependency is down (throttling, a refused write): counted only.</summary>
    public void Fault(string dependency, string kind) => _metrics.DependencyError(dependency, kind);

    /// <summary>The dependency could not be reached, did not answer or refused: counted, and it is down until it next answers.</summary>
    public void Failed(string dependency, string kind, string cause)
    {
        _metrics.DependencyError(dependency, kind);
        lock (_down)
        {
            if (_down.TryGetValue(dependency, out var outage)) outage.Cause = cause;
            else _down[dependency] = new Outage(_clock.GetUtcNow(), cause);
        }
        Tick();
    }

    /// <summary>The dependency answered; an outage that was reported is reported as over.</summary>
    public void Succeeded(string dependency)
    {
        Outage? ended;
        lock (_down)
        {
            if (!_down.Remove(dependency, out ended)) return;
        }
        if (ended.Warned is not null)
            _log.LogWarning("{Dependency} is reachable again after {Seconds:0} s down", dependency, (_clock.GetUtcNow() - ended.Since).TotalSeconds);
    }

    public bool IsDown(string dependency)
    {
        lock (_down) return _down.ContainsKey(dependency);
    }

    /// <summary>Warns about each outage past <c>warnAfter</c>, then every <c>repeatEvery</c>; runs every second on its own timer.</summary>
    public void Tick()
    {
        var now = _clock.GetUtcNow();
        List<(string Dependency, Outage Outage)> due = [];
        lock (_down)
        {
            foreach (var (dependency, outage) in _down)
            {
                if (now - outage.Since < _warnAfter) continue;
                if (outage.Warned is { } last && now - last < _repeatEvery) continue;
                outage.Warned = now;
                due.Add((dependency, outage));
            }
        }
        foreach (var (dependency, outage) in due)
            _log.LogWarning("{Dependency} down for {Seconds:0} s, retrying: {Cause}", dependency, (now - outage.Since).TotalSeconds, outage.Cause);
    }

    public void Dispose() => _tick.Dispose();

    private sealed class Outage(DateTimeOffset since, string cause)
    {
        public DateTimeOffset Since { get; } = since;
        public string Cause { get; set; } = cause;
        public DateTimeOffset? Warned { get; set; }
    }
}
