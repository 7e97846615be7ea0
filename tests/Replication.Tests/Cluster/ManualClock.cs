namespace Replication.Tests.Cluster;

/// <summary>A clock the test moves by hand, so lease expiry is decided by the test, not by the machine's speed.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
