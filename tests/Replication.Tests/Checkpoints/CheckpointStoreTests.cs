using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Tests.Mongo;

namespace Replication.Tests.Checkpoints;

public class CheckpointStoreTests : MongoServerTest
{
    private CheckpointStore Store => new(Client.GetDatabase("repl_checkpoint"));

    private static TableRegistration Orders => new("Orders", "orders", new TableKeySchema("id", "sk"), "arn:stream/1", "NEW_AND_OLD_IMAGES");

    [Fact]
    public async Task A_registered_table_starts_with_no_full_sync_and_registering_again_keeps_positions()
    {
        var store = Store;
        await store.RegisterTableAsync(Orders);
        var table = await store.GetTableAsync("Orders");
        Assert.NotNull(table);
        Assert.Equal("orders", table.Collection);
        Assert.Equal(new TableKeySchema("id", "sk"), table.KeySchema);
        Assert.Equal(FullSyncStatus.NotStarted, table.FullSync.Status);

        await store.BeginFullSyncAsync("Orders", table.Generation, totalSegments: 2);
        await store.SaveSegmentPageAsync("Orders", table.Generation, 1, """{"id":{"S":"k9"}}""", itemsWritten: 10);
        await store.RegisterTableAsync(Orders with { StreamArn = "arn:stream/2" });

        table = await store.GetTableAsync("Orders");
        Assert.Equal("arn:stream/2", table!.StreamArn);
        Assert.Equal(FullSyncStatus.Running, table.FullSync.Status);
        Assert.Equal("""{"id":{"S":"k9"}}""", table.FullSync.Segments[1].LastEvaluatedKey);
        Assert.Equal(10, table.FullSync.ItemsWritten);
    }

    [Fact]
    public async Task Segments_resume_from_their_last_page_and_finish_when_no_key_is_left()
    {
        var store = Store;
        await store.RegisterTableAsync(Orders);
        var table = await store.BeginFullSyncAsync("Orders", 0, totalSegments: 3);
        Assert.Equal(3, table.FullSync.Segments.Count);
        Assert.All(table.FullSync.Segments.Values, s => Assert.Equal(SegmentStatus.Pending, s.Status));

        await store.SaveSegmentPageAsync("Orders", 0, 0, """{"id":{"S":"a"}}""", 5);
        await store.SaveSegmentPageAsync("Orders", 0, 0, null, 3);
        await store.SaveSegmentPageAsync("Orders", 0, 2, """{"id":{"S":"z"}}""", 7);

        // A restart that calls BeginFullSync again (even with another segment count) keeps the running sync.
        table = await store.BeginFullSyncAsync("Orders", 0, totalSegments: 8);
        Assert.Equal(3, table.FullSync.TotalSegments);
        Assert.Equal(SegmentStatus.Done, table.FullSync.Segments[0].Status);
        Assert.Equal(8, table.FullSync.Segments[0].ItemsWritten);
        Assert.Equal(2, table.FullSync.Segments[0].Pages);
        Assert.Equal(SegmentStatus.Running, table.FullSync.Segments[2].Status);
        Assert.Equal(SegmentStatus.Pending, table.FullSync.Segments[1].Status);
        Assert.Equal(15, table.FullSync.ItemsWritten);

        // A finished segment cannot be moved again (a replayed page after a crash is refused, not double counted).
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveSegmentPageAsync("Orders", 0, 0, null, 3));

        await store.FinishFullSyncAsync("Orders", 0);
        Assert.Equal(FullSyncStatus.Done, (await store.GetTableAsync("Orders"))!.FullSync.Status);
    }

    [Fact]
    public async Task A_new_generation_fences_off_the_old_one_and_forgets_shards()
    {
        var store = Store;
        await store.RegisterTableAsync(Orders);
        await store.BeginFullSyncAsync("Orders", 0, 1);
        await store.RegisterShardAsync("Orders", "arn:stream/1", "shard-1", null, ShardStatus.Prepared);

        var generation = await store.StartNewGenerationAsync("Orders");

        Assert.Equal(1, generation);
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveSegmentPageAsync("Orders", 0, 0, null, 1));
        Assert.Empty(await store.ListShardsAsync("Orders"));
        var table = await store.GetTableAsync("Orders");
        Assert.Equal(FullSyncStatus.NotStarted, table!.FullSync.Status);
    }

    [Fact]
    public async Task Shard_positions_compare_as_numbers_and_never_go_backwards()
    {
        var store = Store;
        await store.RegisterShardAsync("Orders", "arn", "s1", "s0", ShardStatus.NotStarted);
        await store.SaveStartPositionAsync("Orders", "s1", SequenceNumber.Parse("900000000000000000001"));

        var shard = await store.GetShardAsync("Orders", "s1");
        Assert.Equal(ShardStatus.Prepared, shard!.Status);
        Assert.Equal("s0", shard.ParentShardId);
        Assert.Equal(SequenceNumber.Parse("900000000000000000001"), shard.StartSequenceNumber);

        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("999999999999999999999"), at, 2);
        // 22 digits is numerically larger even though "1…" < "9…" as text.
        await store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("1000000000000000000000"), at, 3);
        // The same position again is an idempotent replay, accepted.
        await store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("1000000000000000000000"), at, 0);
        await Assert.ThrowsAsync<CheckpointConflictException>(() =>
            store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("999999999999999999999"), at, 1));
        // Once processing began, the start position is history and cannot be rewritten.
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveStartPositionAsync("Orders", "s1", SequenceNumber.Parse("1")));

        shard = await store.GetShardAsync("Orders", "s1");
        Assert.Equal(ShardStatus.Processing, shard!.Status);
        Assert.Equal(SequenceNumber.Parse("1000000000000000000000"), shard.SequenceNumber);
        Assert.Equal(5, shard.RecordsApplied);
        Assert.Equal(at, shard.ApproximateTime);
    }

    [Fact]
    public async Task Registering_a_known_shard_keeps_its_state_and_finished_shards_take_no_positions()
    {
        var store = Store;
        await store.RegisterShardAsync("Orders", "arn", "s1", null, ShardStatus.NotStarted);
        await store.FinishShardAsync("Orders", "s1", ShardStatus.Skipped);
        await store.RegisterShardAsync("Orders", "arn", "s1", null, ShardStatus.NotStarted);

        Assert.Equal(ShardStatus.Skipped, (await store.GetShardAsync("Orders", "s1"))!.Status);
        await Assert.ThrowsAsync<CheckpointConflictException>(() =>
            store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("100000000000000000000"), null, 1));
    }

    [Fact]
    public async Task A_fenced_write_is_refused_once_the_lease_has_moved()
    {
        var store = Store;
        var shards = Client.GetDatabase("repl_checkpoint").GetCollection<BsonDocument>("shards");
        await store.RegisterShardAsync("Orders", "arn", "s1", null, ShardStatus.NotStarted);
        await shards.UpdateOneAsync(
            new BsonDocument { { "_id", CheckpointStore.ShardDocumentId("Orders", "s1") } },
            new BsonDocument { { "$set", new BsonDocument { { "lease", new BsonDocument { { "owner", "node-b" }, { "counter", 7L } } } } } });

        await Assert.ThrowsAsync<CheckpointConflictException>(() =>
            store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("100000000000000000000"), null, 1, new CheckpointFence("node-a", 6)));
        await store.SaveShardPositionAsync("Orders", "s1", SequenceNumber.Parse("100000000000000000000"), null, 1, new CheckpointFence("node-b", 7));
    }

    [Fact]
    public async Task Dead_letters_keep_the_item_and_the_reason()
    {
        var store = Store;
        var item = new BsonDocument { { "_id", "k1" }, { "v", 1 } }.ToBson();
        await store.AddDeadLetterAsync(new DeadLetterRecord("Orders", "orders", "id=k1", "stream", "document too large", 10334, item, "100000000000000000000"));
        await store.AddDeadLetterAsync(new DeadLetterRecord("Users", "users", "id=u1", "full-sync", "bad field", null, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(1, await store.CountDeadLettersAsync("Orders"));
        Assert.Equal(2, await store.CountDeadLettersAsync());
        var letter = Assert.Single(await store.ListDeadLettersAsync("Orders"));
        Assert.Equal("id=k1", ((BsonString)letter["key"]!).Value);
        Assert.Equal(10334, ((BsonInt32)letter["code"]!).Value);
        Assert.Equal(item, ((BsonBinaryData)letter["document"]).Bytes);
    }

    [Fact]
    public async Task Reset_forgets_the_table_and_its_shards()
    {
        var store = Store;
        await store.RegisterTableAsync(Orders);
        await store.RegisterShardAsync("Orders", "arn", "s1", null, ShardStatus.NotStarted);
        await store.RegisterShardAsync("Other", "arn", "s1", null, ShardStatus.NotStarted);

        Assert.True(await store.ResetTableAsync("Orders"));
        Assert.Null(await store.GetTableAsync("Orders"));
        Assert.Empty(await store.ListShardsAsync("Orders"));
        Assert.Single(await store.ListShardsAsync("Other"));
        Assert.False(await store.ResetTableAsync("Orders"));
    }

    [Fact]
    public async Task Two_owners_reacting_to_one_gap_re_sync_the_table_once()
    {
        var store = Store;
        await store.RegisterTableAsync(Orders);
        Assert.Equal(1, await store.StartNewGenerationAsync("Orders", fromGeneration: 0));
        var refused = await Assert.ThrowsAsync<CheckpointConflictException>(() => store.StartNewGenerationAsync("Orders", fromGeneration: 0));
        Assert.Contains("generation 0 is no longer current", refused.Message);
        Assert.Equal(1, (await store.GetTableAsync("Orders"))!.Generation);
    }
}
