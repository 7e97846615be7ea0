using Replication.Checkpoints;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>Shards that appear after processing began, and parents that are no longer in the stream.</summary>
public sealed class ShardDiscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_shard_created_after_processing_began_is_found_by_polling_DescribeStream()
    {
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "a", 3, version: 1);
        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);

        // A new shard with no parent: only the periodic DescribeStream can find it.
        var r = h.Stream.OpenShard();
        var lastOfR = script.PutMany(r, "r", 3, version: 1);
        script.Put(a, "a0", 2);
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(r, ShardStatus.Processing, lastOfR);

        // A closes with no child yet; DynamoDB may list the child later. Closing looked at once and found nothing, so
        // the child is found by a later poll — and still started by the closed parent's actor.
        h.Stream.Close(a);
        await h.WaitForShardAsync(a, ShardStatus.Done);
        var child = h.Stream.AddChildShard(a);
        var lastOfChild = script.Put(child, "a1", 3);
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(child, ShardStatus.Processing, lastOfChild);

        StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, a, child);
        Assert.Contains($"{a}/{child}", StreamCallEvidence.ActorTree(h.TableActor!));
        Assert.Contains(r, StreamCallEvidence.ActorTree(h.TableActor!));
    }

    [Fact]
    public async Task A_parent_that_aged_out_of_the_stream_does_not_block_its_child()
    {
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var grandparent = h.Stream.OpenShard();
        h.Stream.Insert(grandparent, ShardTreeHarness.Key("old"), ShardTreeHarness.Item("old", 1, grandparent));
        var parent = h.Stream.Split(grandparent, children: 1)[0];
        h.Stream.Insert(parent, ShardTreeHarness.Key("old"), ShardTreeHarness.Item("old", 2, parent));
        var child = h.Stream.Split(parent, children: 1)[0];
        // Both ancestors are older than the stream's retention: gone from DescribeStream with their records.
        h.Stream.AgeOut(grandparent);
        h.Stream.AgeOut(parent);
        var last = script.PutMany(child, "c", 4, version: 1);

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(child, ShardStatus.Processing, last);

        Assert.Empty(h.Stream.CallsOf(grandparent));
        Assert.Empty(h.Stream.CallsOf(parent));
        Assert.Null(await h.ShardAsync(parent));
        Assert.Equal(parent, (await h.ShardAsync(child))!.ParentShardId);
    }
}
