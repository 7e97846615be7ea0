using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Configuration;
using MongoDB.Driver;

namespace Replication.Cluster;

/// <summary>
/// The cluster's members, one document per node in <c>nodes</c>: a node joins, heartbeats, and on a graceful stop says
/// it is leaving and then goes. A node whose heartbeat is older than <c>cluster.node-timeout</c> is unreachable and
/// counts for nothing when work is balanced; after three timeouts it is shown as Down.
/// </summary>
public sealed class ClusterMembership(IMongoDatabase database, ClusterSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly IMongoCollection<BsonDocument> _nodes = database.GetCollection<BsonDocument>("nodes");

    public async Task JoinAsync(string nodeId, string managementAddress, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        var now = LeaseTable.Date(_clock.GetUtcNow());
        var rolesArray = new BsonArray();
        foreach (var role in roles) rolesArray.Add(role);
        var update = new BsonDocument
        {
            { "$set", new BsonDocument
                {
                    { "address", managementAddress },
                    { "status", nameof(MemberStatus.Up) },
                    { "joinedAt", now },
                    { "heartbeatAt", now },
                    { "roles", rolesArray },
                }
            },
        };
        await CheckpointStore.UpdateOneAsync(_nodes, new BsonDocument { { "_id", nodeId } }, update, upsert: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Says this node is alive; false when its member document is gone (the node must join again).</summary>
    public Task<bool> HeartbeatAsync(string nodeId, CancellationToken cancellationToken = default) =>
        UpdateAsync(nodeId, new BsonDocument { { "heartbeatAt", LeaseTable.Date(_clock.GetUtcNow()) } }, cancellationToken);

    /// <summary>The first step of a graceful stop: other nodes stop counting on this one.</summary>
    public Task<bool> LeaveAsync(string nodeId, CancellationToken cancellationToken = default) =>
        UpdateAsync(nodeId, new BsonDocument { { "status", nameof(MemberStatus.Leaving) }, { "heartbeatAt", LeaseTable.Date(_clock.GetUtcNow()) } }, cancellationToken);

    /// <summary>The last step of a graceful stop, after its leases were handed back.</summary>
    public Task RemoveAsync(string nodeId, CancellationToken cancellationToken = default) =>
        _nodes.DeleteOneAsync(new BsonDocument { { "_id", nodeId } }, cancellationToken);

    public async Task<IReadOnlyList<ClusterMember>> MembersAsync(CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var found = await _nodes.Find(new BsonDocument()).Sort(new BsonDocument { { "joinedAt", 1 }, { "_id", 1 } }).ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return found.Select(doc => Read(doc, now)).ToArray();
    }

    /// <summary>The members that take part in balancing: Up and heard from within the node timeout.</summary>
    public static IReadOnlyList<string> LiveNodeIds(IEnumerable<ClusterMember> members) =>
        members.Where(m => m.Status == MemberStatus.Up && m.Reachable).Select(m => m.NodeId).ToArray();

    private ClusterMember Read(BsonDocument doc, DateTimeOffset now)
    {
        var heartbeat = CheckpointFields.Time(doc, "heartbeatAt") ?? DateTimeOffset.UnixEpoch;
        var silentFor = now - heartbeat;
        var status = Enum.TryParse<MemberStatus>(CheckpointFields.String(doc, "status"), out var s) ? s : MemberStatus.Up;
        if (silentFor > settings.NodeTimeout * 3) status = MemberStatus.Down;
        var roles = doc.GetValue("roles", null) is BsonArray array ? array.OfType<BsonString>().Select(r => r.Value).ToArray() : [];
        return new ClusterMember(
            CheckpointFields.String(doc, "_id")!,
            CheckpointFields.String(doc, "address") ?? "",
            status,
            Reachable: silentFor <= settings.NodeTimeout,
            JoinedAt: CheckpointFields.Time(doc, "joinedAt") ?? heartbeat,
            LastHeartbeat: heartbeat,
            roles);
    }

    private async Task<bool> UpdateAsync(string nodeId, BsonDocument set, CancellationToken cancellationToken) =>
        await CheckpointStore.UpdateOneAsync(_nodes, new BsonDocument { { "_id", nodeId } }, new BsonDocument { { "$set", set } }, upsert: false, cancellationToken)
            .ConfigureAwait(false) > 0;
}
