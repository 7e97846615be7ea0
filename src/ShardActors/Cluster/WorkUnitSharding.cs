using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Replication.ShardActors.Cluster;

/// <summary>Dispatcher → a unit's entity (through the shard region): run the unit if it is free. Repeats are ignored while it runs.</summary>
/// <param name="UnitId">The unit's <see cref="Replication.Cluster.LeaseKey.Id"/>, also its entity id.</param>
public sealed record StartUnit(string UnitId);

/// <summary>
/// Sharding's hand-off (rebalance, a region shutting down on leave) and passivation stop message: the entity stops the
/// unit, revokes its fence, waits for its writes in flight and hands the lease back before it stops.
/// </summary>
public sealed class HandOffUnit
{
    public static readonly HandOffUnit Instance = new();

    private HandOffUnit()
    {
    }
}

/// <summary>
/// The work units as Akka Cluster Sharding entities of the type <see cref="TypeName"/>: the entity id is the unit's lease
/// id (<c>segment/&lt;table&gt;/&lt;generation&gt;/&lt;n&gt;</c>, <c>shard/&lt;table&gt;/&lt;shardId&gt;</c>,
/// <c>range/&lt;id&gt;</c>), its shard a stable hash of that id modulo <c>replication.cluster.shards</c> (see <see cref="UnitMessageExtractor.ShardOf"/>).
/// </summary>
public static class WorkUnitSharding
{
    public const string TypeName = "work-units";

    /// <summary>
    /// Starts this node's shard region. <see cref="UnitBalancingStrategy"/> places and rebalances the shards; each
    /// shard runs under the MongoDB lease (akka.cluster.sharding.use-lease), and each unit under its own lease in its
    /// checkpoint document, which fences the unit's writes.
    /// </summary>
    public static IActorRef StartRegion(ActorSystem system, WorkUnitNode node)
    {
        var sharding = ClusterSharding.Get(system);
        // Entities are stopped by their unit's end or by hand-off, never for being idle: a long copy gets no message for long.
        var settings = ClusterShardingSettings.Create(system).WithPassivateIdleAfter(TimeSpan.Zero);
        var allocation = new UnitBalancingStrategy(system, node.Listings, node.Cluster.Settings.Shards);
        return sharding.Start(TypeName, id => UnitEntity.Props(node, id), settings, new UnitMessageExtractor(node.Cluster.Settings.Shards),
            allocation, HandOffUnit.Instance);
    }
}

/// <summary>
/// Routes <see cref="StartUnit"/> to its entity. A fixed number of shards, not one per unit: DynamoDB stream shards come
/// and go every few hours for as long as the replication runs, and sharding keeps state per shard.
/// </summary>
public sealed class UnitMessageExtractor(int shards) : IMessageExtractor
{
    public string? EntityId(object message) => message is StartUnit start ? start.UnitId : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id, message) : null;

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId, shards).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// FNV-1a of the id's UTF-8 bytes: the same on every node and in every process (unlike string.GetHashCode). An id
    /// ending in a number (a table's Scan segments <c>…/3</c>, a collection's ranges <c>…#3</c>) is placed at the hash of
    /// the rest plus that number, so the units of one table or collection take consecutive shards and never share one
    /// (up to <paramref name="shards"/> of them): sharding moves whole shards, and units sharing one could not be spread.
    /// </summary>
    public static int ShardOf(string entityId, int shards)
    {
        var digits = 0;
        while (digits < entityId.Length && char.IsAsciiDigit(entityId[^(digits + 1)])) digits++;
        if (digits is 0 or > 9 || digits == entityId.Length) return (int)(Fnv1a(entityId) % (uint)shards);
        var number = uint.Parse(entityId.AsSpan(entityId.Length - digits), CultureInfo.InvariantCulture);
        return (int)(((ulong)Fnv1a(entityId[..^digits]) + number) % (uint)shards);
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}
