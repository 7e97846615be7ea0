namespace Replication.Coordinator.Management.Health;

/// <summary>The body of <c>/ready</c>: ready only when every check is ok; a failed check says why.</summary>
public sealed record ReadinessReport(bool Ready, IReadOnlyList<ReadinessCheck> Checks)
{
    public string Status => Ready ? "ready" : "not ready";
}

public sealed record ReadinessCheck(string Name, bool Ok, string? Error);
