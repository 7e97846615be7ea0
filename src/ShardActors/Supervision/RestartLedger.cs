using System.Collections.Concurrent;
using Replication.Checkpoints;

namespace Replication.ShardActors;

/// <summary>
/// Counts, per unit of work (a Scan segment or a stream shard), the restarts in a row at one position, so a poison
/// page or record stops its unit instead of restarting it forever; the other units keep running. A restart after the
/// unit moved on starts the count again. The units this node stopped are listed for /ready and the metrics.
/// </summary>
public sealed class RestartLedger(int maxRestartsAtOnePosition, TimeProvider clock)
{
    // Each entry counts failures in a row at one position; every failure is followed by a restart.
    private readonly ConcurrentDictionary<string, Streak> _streaks = new();
    private readonly ConcurrentDictionary<string, StoppedUnit> _stopped = new();

    /// <summary>0 means no limit.</summary>
    public int MaxRestartsAtOnePosition { get; } = maxRestartsAtOnePosition;

    public static string SegmentUnit(string table, int segment) => $"{table} segment {segment}";

    public static string ShardUnit(string table, string shardId) => $"{table} shard {shardId}";

    /// <summary>
    /// A restart of <paramref name="unit"/>, which failed with <paramref name="cause"/> at <paramref name="position"/>;
    /// <paramref name="movedOn"/> when it got past its starting position before failing.
    /// </summary>
    public void RecordRestart(string unit, string? position, bool movedOn, Exception cause) =>
        _streaks.AddOrUpdate(unit,
            _ => new Streak(position, 1, cause),
            (_, s) => !movedOn && s.Position == position ? s with { Failures = s.Failures + 1, LastCause = cause } : new Streak(position, 1, cause));

    /// <summary>Failures in a row of <paramref name="unit"/> (at one position, or since it last <see cref="Recovered"/>); 0 if none.</summary>
    public int RestartsInARow(string unit) => _streaks.TryGetValue(unit, out var streak) ? streak.Failures : 0;

    /// <summary>The unit got going again after restarts: its next failure starts a new streak.</summary>
    public void Recovered(string unit) => _streaks.TryRemove(unit, out _);

    /// <summary>True (with what to record) when <paramref name="unit"/> failed again after its last allowed restart at one position.</summary>
    public bool ShouldStop(string unit, out UnitFailure failure)
    {
        failure = null!;
        // The allowed restarts were all used and the last of them failed too.
        if (MaxRestartsAtOnePosition <= 0 || !_streaks.TryGetValue(unit, out var streak) || streak.Failures <= MaxRestartsAtOnePosition) return false;
        failure = new UnitFailure(streak.LastCause.Message, streak.Position, MaxRestartsAtOnePosition, clock.GetUtcNow());
        return true;
    }

    public void Stopped(string table, string unit, UnitFailure failure) => _stopped[unit] = new StoppedUnit(table, unit, failure);

    /// <summary>The units this node stopped since it started.</summary>
    public IReadOnlyCollection<StoppedUnit> StoppedUnits => _stopped.Values.ToArray();

    private sealed record Streak(string? Position, int Failures, Exception LastCause);
}

public sealed record StoppedUnit(string Table, string Unit, UnitFailure Failure);
