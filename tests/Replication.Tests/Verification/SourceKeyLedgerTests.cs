using System.Text;
using Replication.Coordinator.Verification;

namespace Replication.Tests.Verification;

public sealed class SourceKeyLedgerTests
{
    [Theory]
    [InlineData(10_000, 1)]  // all in memory
    [InlineData(1_000, 3)]   // spilled: 2,500 keys checked in three rounds
    public void Every_recorded_key_is_found_in_exactly_one_round_and_an_unknown_key_in_none(int keysInMemory, int rounds)
    {
        using var ledger = new SourceKeyLedger(keysInMemory);
        var keys = Enumerable.Range(0, 2_500).Select(i => Encoding.UTF8.GetBytes($"key-{i}")).ToList();
        foreach (var batch in keys.Chunk(300)) ledger.Add(batch);

        Assert.Equal(2_500, ledger.Count);
        Assert.Equal(rounds, ledger.Rounds);
        var found = new int[keys.Count];
        var unknown = SourceKeyLedger.Hash("not-in-source"u8);
        for (var round = 0; round < ledger.Rounds; round++)
        {
            var set = ledger.Load(round);
            Assert.True(set.Count <= Math.Max(keysInMemory, 2_500 / rounds + 200), $"round {round} loaded {set.Count} hashes");
            for (var i = 0; i < keys.Count; i++)
            {
                var h = SourceKeyLedger.Hash(keys[i]);
                if (ledger.InRound(h, round) && set.Contains(h)) found[i]++;
            }
            Assert.False(ledger.InRound(unknown, round) && set.Contains(unknown));
        }
        Assert.All(found, n => Assert.Equal(1, n));
    }
}
