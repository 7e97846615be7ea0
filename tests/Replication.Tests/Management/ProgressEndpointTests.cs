using System.Net;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Coordinator.Management.Progress;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;

namespace Replication.Tests.Management;

public sealed class ProgressEndpointTests : ManagementServerTest
{
    private static TableRegistration Table(string name, long? estimate) =>
        new(name, name.ToLowerInvariant(), new TableKeySchema("id", null), $"arn:stream/{name}", "NEW_AND_OLD_IMAGES", estimate);

    [Fact]
    public async Task Without_tables_the_state_is_idle()
    {
        var (response, body) = await GetJsonAsync("/progress");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        var progress = body.GetProperty("progress");
        Assert.Equal(["state", "info", "lagTimeSeconds", "totalEventsApplied", "collectionCopy", "tables"], PropertyNames(progress));
        Assert.Equal("IDLE", progress.GetProperty("state").GetString());
        Assert.Equal(0, progress.GetProperty("tables").GetArrayLength());
    }

    [Fact]
    public async Task A_full_sync_reports_its_counts_then_a_rate_and_eta_from_the_next_request()
    {
        await Checkpoints.RegisterTableAsync(Table("Orders", estimate: 1000));
        await Checkpoints.BeginFullSyncAsync("Orders", 0, totalSegments: 4);
        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 0, null, 100);

        var first = (await GetAsync<ProgressResponse>("/progress")).Progress;

        Assert.Equal(("RUNNING", "collection copy"), (first.State, first.Info));
        var orders = Assert.Single(first.Tables);
        Assert.Equal(("Orders", "orders", "full-sync"), (orders.Table, orders.Collection, orders.Phase));
        Assert.Equal(("Running", 100L, 1000L, 1, 4), (orders.FullSync.Status, orders.FullSync.ItemsWritten, orders.FullSync.EstimatedItems, orders.FullSync.SegmentsDone, orders.FullSync.TotalSegments));
        Assert.Null(orders.FullSync.ItemsPerSecond);
        Assert.Null(orders.FullSync.EtaSeconds);

        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k1"}}""", 200);
        Clock.Advance(TimeSpan.FromSeconds(10));

        var second = (await GetAsync<ProgressResponse>("/progress")).Progress;

        var copy = Assert.Single(second.Tables).FullSync;
        Assert.Equal(300, copy.ItemsWritten);
        Assert.Equal(20.0, copy.ItemsPerSecond!.Value, precision: 6);
        Assert.Equal(35.0, copy.EtaSeconds!.Value, precision: 6);
        Assert.Equal(new CollectionCopyProgress(1000, 300), second.CollectionCopy);
    }

    [Fact]
    public async Task In_a_cluster_each_member_holding_leases_is_listed_with_its_segments_and_shards_and_their_rate_between_two_requests()
    {
        await Checkpoints.RegisterTableAsync(Table("Orders", estimate: 1000));
        await Checkpoints.BeginFullSyncAsync("Orders", 0, totalSegments: 2);
        await Checkpoints.RegisterShardAsync("Orders", "arn:stream/Orders", "shard-1", null, ShardStatus.NotStarted);
        await Checkpoints.MarkShardsLeasableAsync("Orders", ["shard-1"]);
        Assert.Null((await GetAsync<ProgressResponse>("/progress")).Progress.Nodes); // nothing leased: as on a single node

        var leases = new LeaseTable(CheckpointDatabase, Clock);
        var units = (await leases.ListAsync()).ToDictionary(u => u.Key.Id);
        var segment0 = await leases.TryAcquireAsync(units["segment/Orders/0/0"], "node-a", TimeSpan.FromSeconds(10), steal: false);
        var segment1 = await leases.TryAcquireAsync(units["segment/Orders/0/1"], "node-b", TimeSpan.FromSeconds(10), steal: false);
        var shard = await leases.TryAcquireAsync(Assert.Single(units.Values, u => u.Key is ShardLeaseKey), "node-a", TimeSpan.FromSeconds(10), steal: false);
        Assert.NotNull(segment0);
        Assert.NotNull(segment1);
        Assert.NotNull(shard);
        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 0, """{"id":{"S":"k1"}}""", 100, segment0);

        var first = (await GetAsync<ProgressResponse>("/progress")).Progress;
        Assert.Equal([new NodeProgressReport("node-a", null) { Segments = 1, Shards = 1 }, new NodeProgressReport("node-b", null) { Segments = 1, Shards = 0 }],
            first.Nodes);

        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 0, """{"id":{"S":"k2"}}""", 200, segment0);
        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 1, """{"id":{"S":"k3"}}""", 50, segment1);
        await Checkpoints.SaveShardPositionAsync("Orders", "shard-1", SequenceNumber.Parse("100"), Clock.GetUtcNow(), 30, shard);
        Clock.Advance(TimeSpan.FromSeconds(10));

        // node-a: 200 more items and 30 records in 10 s; node-b: 50 items.
        var (_, body) = await GetJsonAsync("/progress");
        var nodes = body.GetProperty("progress").GetProperty("nodes");
        Assert.Equal(["node", "itemsPerSecond", "segments", "shards"], PropertyNames(nodes[0]));
        var second = (await GetAsync<ProgressResponse>("/progress")).Progress;
        Assert.Equal([("node-a", 23.0), ("node-b", 5.0)], second.Nodes!.Select(n => (n.Node, Math.Round(n.ItemsPerSecond!.Value, 6))));
    }

    [Fact]
    public async Task Incremental_tables_report_shards_events_and_the_lag_of_shards_still_processing()
    {
        await Checkpoints.RegisterTableAsync(Table("Customers", estimate: 2));
        await Checkpoints.BeginFullSyncAsync("Customers", 0, totalSegments: 1);
        await Checkpoints.SaveSegmentPageAsync("Customers", 0, 0, null, 2);
        await Checkpoints.FinishFullSyncAsync("Customers", 0);
        foreach (var shard in new[] { "shard-1", "shard-2", "shard-3", "shard-4" })
            await Checkpoints.RegisterShardAsync("Customers", "arn:stream/Customers", shard, null, ShardStatus.Prepared);
        var now = Clock.GetUtcNow();
        // Applied 5 s and 3 s behind the source; shard-2 was far behind but is finished, so it no longer counts.
        await Checkpoints.SaveShardPositionAsync("Customers", "shard-1", SequenceNumber.Parse("100"), now - TimeSpan.FromSeconds(5), 7);
        await Checkpoints.SaveShardPositionAsync("Customers", "shard-3", SequenceNumber.Parse("300"), now - TimeSpan.FromSeconds(3), 4);
        await Checkpoints.SaveShardPositionAsync("Customers", "shard-2", SequenceNumber.Parse("200"), now - TimeSpan.FromSeconds(100), 30);
        await Checkpoints.FinishShardAsync("Customers", "shard-2", ShardStatus.Done);

        var progress = (await GetAsync<ProgressResponse>("/progress")).Progress;

        Assert.Equal(("RUNNING", "change event application", 5L, 41L), (progress.State, progress.Info, progress.LagTimeSeconds, progress.TotalEventsApplied));
        var customers = Assert.Single(progress.Tables);
        Assert.Equal("incremental", customers.Phase);
        Assert.Equal(new ShardCounts(Total: 4, Done: 1, Processing: 2, Waiting: 1), customers.Shards);
        Assert.Equal(41, customers.EventsApplied);
        Assert.Equal(5.0, customers.LagSeconds!.Value, precision: 3);
        Assert.Equal(("Done", 1, 1), (customers.FullSync.Status, customers.FullSync.SegmentsDone, customers.FullSync.TotalSegments));
        Assert.Null(customers.FullSync.EtaSeconds);
    }
}

public sealed class FullModeProgressTests : ManagementServerTest
{
    protected override Replication.Configuration.SyncMode Mode => Replication.Configuration.SyncMode.Full;

    [Fact]
    public async Task In_mode_full_a_copied_table_is_done_and_all_copied_is_completed()
    {
        await Checkpoints.RegisterTableAsync(new TableRegistration("Orders", "orders", new TableKeySchema("id", null), null, null, 1));
        await Checkpoints.BeginFullSyncAsync("Orders", 0, totalSegments: 1);
        await Checkpoints.SaveSegmentPageAsync("Orders", 0, 0, null, 1);
        await Checkpoints.FinishFullSyncAsync("Orders", 0);

        var progress = (await GetAsync<ProgressResponse>("/progress")).Progress;

        Assert.Equal("COMPLETED", progress.State);
        Assert.Equal("done", Assert.Single(progress.Tables).Phase);
        Assert.Null(progress.LagTimeSeconds);
    }
}
