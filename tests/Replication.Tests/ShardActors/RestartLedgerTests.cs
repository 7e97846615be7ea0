using Replication.ShardActors;

namespace Replication.Tests.ShardActors;

public sealed class RestartLedgerTests
{
    private static readonly Exception Poison = new InvalidOperationException("poison record");

    [Fact]
    public void A_unit_stops_only_when_it_fails_again_after_its_last_allowed_restart_at_one_position()
    {
        var ledger = new RestartLedger(maxRestartsAtOnePosition: 2, TimeProvider.System);

        ledger.RecordRestart("t shard s", "100", movedOn: false, Poison);
        ledger.RecordRestart("t shard s", "100", movedOn: false, Poison);
        Assert.False(ledger.ShouldStop("t shard s", out _));

        ledger.RecordRestart("t shard s", "100", movedOn: false, Poison);
        Assert.True(ledger.ShouldStop("t shard s", out var failure));
        Assert.Equal(("100", 2, "poison record"), (failure.Position, failure.Restarts, failure.Error));
        Assert.False(ledger.ShouldStop("t shard other", out _));
    }

    [Fact]
    public void A_restart_at_a_new_position_or_after_moving_on_starts_the_count_again()
    {
        var ledger = new RestartLedger(maxRestartsAtOnePosition: 1, TimeProvider.System);

        ledger.RecordRestart("t shard s", "100", movedOn: false, Poison);
        ledger.RecordRestart("t shard s", "200", movedOn: false, Poison);
        Assert.False(ledger.ShouldStop("t shard s", out _));

        ledger.RecordRestart("t segment 0", null, movedOn: false, Poison);
        ledger.RecordRestart("t segment 0", null, movedOn: true, Poison);
        Assert.False(ledger.ShouldStop("t segment 0", out _));
    }

    [Fact]
    public void Zero_means_restart_forever()
    {
        var ledger = new RestartLedger(maxRestartsAtOnePosition: 0, TimeProvider.System);
        for (var i = 0; i < 100; i++) ledger.RecordRestart("t shard s", "100", movedOn: false, Poison);
        Assert.False(ledger.ShouldStop("t shard s", out _));
    }
}
