using Replication.Checkpoints;
using Replication.ShardActors.Streams;

namespace Replication.Tests.ShardActors;

public class ShardLineageTests
{
    // root ─┬─ a ── a1
    //       └─ b
    private static ShardLineage Tree()
    {
        var tree = new ShardLineage();
        tree.Add(new("a1", "a", IsClosed: false));   // children may be listed before their parents
        tree.Add(new("root", null, IsClosed: true));
        tree.Add(new("a", "root", IsClosed: true));
        tree.Add(new("b", "root", IsClosed: false));
        return tree;
    }

    [Fact]
    public void Only_shards_whose_parent_is_finished_are_runnable()
    {
        var tree = Tree();
        var status = new Dictionary<string, ShardStatus>();
        ShardStatus Of(string id) => status.GetValueOrDefault(id, ShardStatus.NotStarted);

        Assert.Equal(["root"], tree.Runnable(Of).Select(s => s.ShardId));

        status["root"] = ShardStatus.Done;
        Assert.Equal(["a", "b"], tree.Runnable(Of).Select(s => s.ShardId));

        status["a"] = ShardStatus.Skipped;
        Assert.Equal(["a1", "b"], tree.Runnable(Of).Select(s => s.ShardId));
    }

    [Fact]
    public void A_parent_trimmed_from_the_stream_does_not_block_its_child()
    {
        var tree = new ShardLineage();
        tree.Add(new("child", "long-gone", IsClosed: false));
        Assert.Equal(["child"], tree.Roots.Select(s => s.ShardId));
        Assert.Equal(["child"], tree.Runnable(_ => ShardStatus.NotStarted).Select(s => s.ShardId));
    }

    [Fact]
    public void Children_are_known_whatever_order_shards_arrive_in()
    {
        var tree = Tree();
        Assert.Equal(["a", "b"], tree.ChildrenOf("root").Select(s => s.ShardId).Order());
        Assert.Equal(["a1"], tree.ChildrenOf("a").Select(s => s.ShardId));
        Assert.Empty(tree.ChildrenOf("b"));
        Assert.Equal(["root"], tree.Roots.Select(s => s.ShardId));
    }

    [Fact]
    public void A_shard_that_closes_later_is_updated_not_duplicated()
    {
        var tree = Tree();
        Assert.False(tree.Add(new("b", "root", IsClosed: true)));
        Assert.True(tree["b"].IsClosed);
        Assert.Single(tree.ChildrenOf("root"), s => s.ShardId == "b");
    }
}
