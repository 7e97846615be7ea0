using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Replication.Checkpoints;
using Replication.Metrics;
using Replication.ShardActors.Tables;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>The stream itself changing under a running table: turned off, replaced, or briefly not answering.</summary>
public sealed class StreamChangeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_stream_replaced_since_the_shards_were_read_is_a_gap_and_the_table_is_resynced()
    {
        using var errors = new ErrorKinds(ShardTreeHarness.Table);
        await using var h = new ShardTreeHarness(output, "replication.mode=all");
        var a = h.Stream.OpenShard();
        await h.FinishFullSyncWithoutStartPositionsAsync();
        // The shards this generation read came from a stream the table no longer has (disabled, then enabled again).
        const string oldStream = "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2025-12-31T00:00:00.000";
        await h.Checkpoints.RegisterShardAsync(ShardTreeHarness.Table, oldStream, "shardId-old", null, ShardStatus.Prepared);
        await h.Checkpoints.SaveShardPositionAsync(ShardTreeHarness.Table, "shardId-old", ScriptedStreamSourceFirst, null, 1);

        await h.StartAsync();
        await ShardTreeHarness.WaitUntilAsync(async () => (await h.Checkpoints.GetTableAsync(ShardTreeHarness.Table))!.Generation == 1, "the table was re-synced");

        // The re-sync bumps the generation, then drops the old shards: wait for the second step too.
        await ShardTreeHarness.WaitUntilAsync(async () => await h.ShardAsync("shardId-old") is null, "the old stream's shard was dropped");
        Assert.Contains("stream-replaced", errors.Kinds);
        // The new generation starts as a first run does: its shards are probed for a start position before the scan.
        await h.WaitForShardAsync(a, ShardStatus.Prepared);
    }

    [Fact]
    public async Task A_stream_turned_off_while_running_stops_the_tables_work_and_tells_the_coordinator()
    {
        using var errors = new ErrorKinds(ShardTreeHarness.Table);
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 3, version: 1);
        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);

        h.Stream.Disable();
        await ShardTreeHarness.WaitUntilAsync(() => h.TableReports.OfType<TableStreamEnded>().Any() && StreamCallEvidence.ActorTree(h.TableActor!).Count == 0,
            "the table noticed its stream was turned off, stopped its shards and told its parent");
        Assert.Equal("DISABLED", h.TableReports.OfType<TableStreamEnded>().Single().StreamStatus);
        Assert.Contains("stream-disabled", errors.Kinds);
    }

    [Fact]
    public async Task A_failed_DescribeStream_during_discovery_is_retried_and_the_running_shards_are_not_restarted()
    {
        using var errors = new ErrorKinds(ShardTreeHarness.Table);
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "a", 3, version: 1);
        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);

        h.Stream.FailNextDescribeStreamCalls(3);
        // Only a successful DescribeStream after the failures can find this shard.
        var r = h.Stream.OpenShard();
        script.PutMany(r, "r", 3, version: 1);
        script.PutMany(a, "a", 3, version: 2);
        await h.WaitForTargetAsync(script.Expected);

        Assert.Equal(3, errors.Kinds.Count(k => k == "discovery"));
        // One iterator for shard A in the whole run: its actor was never stopped and started again.
        Assert.Single(h.Stream.IteratorRequests, i => i.ShardId == a);
        StreamCallEvidence.EveryRecordWasRead(h.Stream, a);
    }

    private static readonly Replication.Dynamo.SequenceNumber ScriptedStreamSourceFirst = Replication.Testing.Streams.ScriptedStreamSource.DefaultFirstSequenceNumber;

    /// <summary>The kinds of replication_errors_total recorded for one table while it lives.</summary>
    private sealed class ErrorKinds : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<string> _kinds = new();

        public ErrorKinds(string table)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ReplicationMetrics.MeterName && instrument.Name == "replication.errors") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? t = null, kind = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "table") t = tag.Value as string;
                    else if (tag.Key == "kind") kind = tag.Value as string;
                }
                if (t == table && kind is not null) _kinds.Enqueue(kind);
            });
            _listener.Start();
        }

        public IReadOnlyList<string> Kinds => _kinds.ToArray();

        public void Dispose() => _listener.Dispose();
    }
}
