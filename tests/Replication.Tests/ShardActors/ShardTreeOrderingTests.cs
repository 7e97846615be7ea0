using Replication.Checkpoints;
using Xunit.Abstractions;

namespace Replication.Tests.ShardActors;

/// <summary>
/// DynamoDB writes a key's later records to a child shard only after the parent closed, so a child applied before its
/// parent is finished would let the parent's older image overwrite the child's newer one. These run the real table and
/// shard actors over a stream that splits.
/// </summary>
public sealed class ShardTreeOrderingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_child_is_read_only_after_its_parent_is_done_so_the_childs_later_write_wins()
    {
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        // Enough records for several GetRecords calls (records-limit 5): the children have every chance to run early.
        script.PutMany(a, "k", 12, version: 1);
        script.Put(a, "shared", 1);
        script.PutMany(a, "k", 12, version: 2);
        script.Put(a, "shared", 2);
        var lastOfA = script.Put(a, "gone", 1);
        var children = h.Stream.Split(a);
        var (b, c) = (children[0], children[1]);
        script.Put(b, "shared", 3);
        var lastOfB = script.Put(b, "k3", 3);
        script.Delete(c, "gone");
        var lastOfC = script.Put(c, "k7", 3);

        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Done, lastOfA);
        await h.WaitForShardAsync(b, ShardStatus.Processing, lastOfB);
        await h.WaitForShardAsync(c, ShardStatus.Processing, lastOfC);

        Assert.True(h.Stream.CallsOf(a).Count >= 6, "the parent was read in several calls");
        StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, a, b);
        StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, a, c);
        Assert.Equal(3, (await h.TargetVersionsAsync())["shared"]);
        Assert.Equal(0, h.ScanRequests);
    }

    [Fact]
    public async Task Splits_three_levels_deep_are_applied_in_tree_order_and_the_actor_tree_mirrors_the_shard_tree()
    {
        // No discovery tick within the test: every child must be found at once when its parent closes.
        await using var h = new ShardTreeHarness(output, "replication.incremental.shard-discovery-interval=1h");
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 8, version: 1);
        await h.StartAsync();
        await h.WaitForTargetAsync(script.Expected);

        // Level two: A splits in two while its actor is reading it.
        var level2 = h.Stream.Split(a);
        var (b, c) = (level2[0], level2[1]);
        script.PutMany(b, "k", 4, version: 2);
        script.Put(c, "k5", 2);
        script.Put(c, "k6", 2);
        await h.WaitForTargetAsync(script.Expected);

        // Level three: B splits in two, C into one.
        var level3 = h.Stream.Split(b);
        var (d, e) = (level3[0], level3[1]);
        var f = h.Stream.Split(c, children: 1)[0];
        script.Put(d, "k0", 3);
        script.Put(d, "k1", 3);
        script.Delete(e, "k2");
        script.Put(f, "k5", 3);
        script.Put(e, "k7", 3);
        var lastOfF = script.Put(f, "k6", 3);
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(f, ShardStatus.Processing, lastOfF);

        foreach (var (parent, child) in new[] { (a, b), (a, c), (b, d), (b, e), (c, f) })
            StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, parent, child);
        foreach (var shard in new[] { a, b, c })
            Assert.Equal(ShardStatus.Done, (await h.ShardAsync(shard))!.Status);

        var tree = StreamCallEvidence.ActorTree(h.TableActor!);
        Assert.Equal(
            new[] { a, $"{a}/{b}", $"{a}/{b}/{d}", $"{a}/{b}/{e}", $"{a}/{c}", $"{a}/{c}/{f}" }.Order(StringComparer.Ordinal),
            tree.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task In_a_cluster_a_child_shard_is_leased_only_after_its_parent_is_done()
    {
        await using var h = new ShardTreeHarness(output);
        var script = new StreamScript(h.Stream);
        var a = h.Stream.OpenShard();
        script.PutMany(a, "k", 12, version: 1);
        script.Put(a, "shared", 1);
        var lastOfA = script.Put(a, "gone", 1);
        var children = h.Stream.Split(a);
        var (b, c) = (children[0], children[1]);
        script.Put(b, "shared", 2);
        var grandchild = h.Stream.Split(b, children: 1)[0];
        script.Put(grandchild, "shared", 3);
        script.Delete(c, "gone");
        script.Put(c, "k7", 2);

        await h.StartClusterAsync();
        await h.WaitForTargetAsync(script.Expected);
        await h.WaitForShardAsync(a, ShardStatus.Done, lastOfA);
        await h.WaitForShardAsync(b, ShardStatus.Done);

        foreach (var (parent, child) in new[] { (a, b), (a, c), (b, grandchild) })
            StreamCallEvidence.ChildReadOnlyAfterParent(h.Stream, parent, child);
        Assert.Equal(3, (await h.TargetVersionsAsync())["shared"]);
        // The shards ran under leases, not as the table actor's children.
        Assert.Empty(StreamCallEvidence.ActorTree(h.TableActor!));
        foreach (var shard in new[] { a, b, c, grandchild })
            Assert.True((await h.ShardAsync(shard))!.Lease is { Counter: > 0 }, $"shard {shard} was never leased");
    }
}
