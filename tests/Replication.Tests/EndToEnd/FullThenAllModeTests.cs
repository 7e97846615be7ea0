using Replication.Checkpoints;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// A table copied by a run in mode full, then run in mode all: a full-mode run learns no stream start positions, so the
/// changes made since its copy cannot be replayed from the stream with certainty — it is a gap, handled by
/// incremental.on-trimmed-data like records trimmed before they were applied.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class FullThenAllModeTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output)
{
    [Fact]
    public async Task With_resync_the_table_is_copied_again_with_start_positions_and_the_changes_made_in_between_reach_the_target()
    {
        await using var h = new ReplicationHarness(dynamo.Local, output);
        var (table, copiedIn) = await CopyInModeFullThenChangeAsync(h);

        var all = h.Settings();
        await using var node = await h.StartNodeAsync(all);
        await h.WaitUntilTargetEqualsSourceAsync(all, table, TimeSpan.FromMinutes(2));
        var checkpoint = await node.Services.Checkpoints.GetTableAsync(table);
        Assert.Equal(copiedIn + 1, checkpoint!.Generation);
        Assert.NotEmpty(await node.Services.Checkpoints.ListShardsAsync(table));

        // And it follows the stream from there on.
        await new DynamoItemGenerator("pk", seed: 91).PutItemsAsync(h.Dynamo, table, 10);
        await h.WaitUntilTargetEqualsSourceAsync(all, table, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task With_stop_the_run_ends_naming_the_table_and_the_full_mode_copy()
    {
        await using var h = new ReplicationHarness(dynamo.Local, output);
        var (table, copiedIn) = await CopyInModeFullThenChangeAsync(h);

        await using var node = await h.StartNodeAsync(h.Settings("replication.incremental.on-trimmed-data=stop"));
        var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.False(ended.Success);
        Assert.Contains($"table '{table}'", ended.Message);
        Assert.Contains("copied by a run in mode full", ended.Message);
        Assert.Equal(copiedIn, (await node.Services.Checkpoints.GetTableAsync(table))!.Generation);
    }

    /// <summary>A table copied by a run in mode full, whose items then change while no run follows it; and the copy's generation.</summary>
    private static async Task<(string Table, int Generation)> CopyInModeFullThenChangeAsync(ReplicationHarness h)
    {
        var table = await DynamoTestTables.CreateAsync(h.Dynamo, h.Prefix + "-fa", "pk");
        await new DynamoItemGenerator("pk", seed: 5).PutItemsAsync(h.Dynamo, table, 50);
        int generation;
        await using (var node = await h.StartNodeAsync(h.Settings("replication.mode=full")))
        {
            var ended = await node.Completion.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(ended.Success, ended.Message);
            var copied = (await node.Services.Checkpoints.GetTableAsync(table))!;
            Assert.Equal(FullSyncStatus.Done, copied.FullSync.Status);
            generation = copied.Generation;
        }
        await new DynamoItemGenerator("pk", seed: 77).PutItemsAsync(h.Dynamo, table, 30);
        return (table, generation);
    }
}
