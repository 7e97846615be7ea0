using Akka.Actor;
using Replication.Testing.Streams;

namespace Replication.Tests.ShardActors;

/// <summary>Assertions over what a <see cref="ScriptedStreamSource"/> recorded, and over the live actor tree.</summary>
public static class StreamCallEvidence
{
    /// <summary>Every GetRecords call on the child came after the parent's last call, and that last call ended the parent.</summary>
    public static void ChildReadOnlyAfterParent(ScriptedStreamSource stream, string parentShardId, string childShardId)
    {
        var parent = stream.CallsOf(parentShardId);
        var child = stream.CallsOf(childShardId);
        Assert.NotEmpty(parent);
        Assert.NotEmpty(child);
        var parentLast = parent.Where(c => c.Fault is null).MaxBy(c => c.Order)!;
        Assert.True(parentLast.EndOfShard, $"the last read of parent {parentShardId} did not reach its end");
        var childFirst = child.MinBy(c => c.Order)!;
        Assert.True(childFirst.Order > parentLast.Order,
            $"child {childShardId} was read (call #{childFirst.Order}) before its parent {parentShardId} was finished (last call #{parentLast.Order})");
    }

    /// <summary>Every record the shard holds was returned by some call: nothing was skipped.</summary>
    public static void EveryRecordWasRead(ScriptedStreamSource stream, string shardId)
    {
        var returned = stream.CallsOf(shardId).SelectMany(c => c.Returned).ToHashSet();
        var missed = stream.SequenceNumbersOf(shardId).Where(s => !returned.Contains(s)).ToArray();
        Assert.True(missed.Length == 0, $"shard {shardId}: records never read: {string.Join(", ", missed)}");
    }

    /// <summary>Paths of the actors under <paramref name="root"/>, relative to it ("A", "A/B", …).</summary>
    public static IReadOnlyList<string> ActorTree(IActorRef root)
    {
        var paths = new List<string>();
        Walk(root, "");
        return paths;

        void Walk(IActorRef actor, string prefix)
        {
            foreach (var child in ((ActorRefWithCell)actor).Children)
            {
                var path = prefix + child.Path.Name;
                paths.Add(path);
                Walk(child, path + "/");
            }
        }
    }
}
