using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Microsoft.Extensions.Logging;
using Replication.AkkaCluster.Lease;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Actors;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Health;
using Replication.Coordinator.Management.Progress;
using Replication.Metrics;
using Replication.MongoAccess;
using Replication.ShardActors;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.MongoSource;
using Driver = MongoDB.Driver;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// One running node of a MongoDB → MongoDB replication: the source, target and checkpoint clients, the management
/// endpoints, its actor system (an Akka.Cluster member), and the <see cref="MongoSyncPipeline"/> — run by the coordinator
/// singleton under the MongoDB lease (a second node with the same id waits as a standby and takes over when the first stops).
/// <see cref="Completion"/> ends when the work is over (mode full) or cannot go on.
/// </summary>
public sealed class MongoReplicationNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<MongoSyncEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IDisposable> _disposables = [];
    private ILogger _logger = null!;
    private volatile bool _stopping;

    private MongoReplicationNode(ReplicationSettings settings) => Settings = settings;

    public ReplicationSettings Settings { get; }
    public ClusterContext Cluster { get; private set; } = null!;

    /// <summary>The cluster as this node sees it (Akka's membership and the leases): what /cluster/members and /cluster/shards show.</summary>
    public IClusterView ClusterView { get; private set; } = null!;
    public ActorSystem System { get; private set; } = null!;
    public ManagementServer Management { get; private set; } = null!;
    public MongoSyncCheckpoints Checkpoints { get; private set; } = null!;
    public MongoProgressReportBuilder Progress { get; private set; } = null!;
    public MongoSyncPipeline Pipeline { get; private set; } = null!;
    public Task<MongoSyncEnded> Completion => _ended.Task;

    public static async Task<MongoReplicationNode> StartAsync(ReplicationSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var node = new MongoReplicationNode(settings);
        try
        {
            await node.StartCoreAsync(loggers, cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        _logger = loggers.CreateLogger<MongoReplicationNode>();
        var metrics = new ReplicationMetrics();
        _disposables.Add(metrics);
        var source = MongoClientFactory.Create(Settings.Source.MongoUri);
        var target = MongoClientFactory.Create(Settings.Target.Uri);
        var checkpointClient = Settings.CheckpointUri == Settings.Target.Uri ? target : MongoClientFactory.Create(Settings.CheckpointUri);
        _disposables.Add(source);
        _disposables.Add(target);
        if (!ReferenceEquals(checkpointClient, target)) _disposables.Add(checkpointClient);
        Checkpoints = new MongoSyncCheckpoints(checkpointClient.GetDatabase(Settings.CheckpointDatabase));
        Progress = new MongoProgressReportBuilder(Checkpoints,
            Checkpoints.Database.GetCollection<MongoDB.Bson.BsonDocument>(Settings.DeadLetterCollection), TimeProvider.System);
        var configuration = Settings.Configuration ?? ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config;
        System = NodeActorSystem.Create(configuration, loggers, Settings.Cluster.Enabled);
        var akka = Akka.Cluster.Cluster.Get(System);
        Pipeline = new MongoSyncPipeline(source, target, Checkpoints, Settings, metrics, loggers, System);
        _disposables.Add(Pipeline);

        // Membership, the coordinator lease and the dead letters live in the same checkpoint database as for DynamoDB.
        var checkpointDatabase = checkpointClient.GetDatabase(Settings.CheckpointDatabase);
        var store = new CheckpointStore(checkpointDatabase, Settings.DeadLetterCollection);
        await store.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        Cluster = new ClusterContext(akka.SelfAddress.ToString(), Settings.Cluster, new LeaseTable(checkpointDatabase),
            () => MongoLeaseStores.Get(System).Holds(NodeActorSystem.SingletonLeaseName(System, NodeActorSystem.CoordinatorName(Settings.Id))));

        var readiness = new NodeReadiness(ct => PingAsync(source, ct), ct => PingAsync(target, ct)) { LeasesSynced = true };
        akka.RegisterOnMemberUp(() => readiness.Joined = true);
        akka.RegisterOnMemberRemoved(() => readiness.Joined = false);
        _ = System.WhenTerminated.ContinueWith(_ =>
        {
            if (!_stopping) _ended.TrySetResult(new MongoSyncEnded(false, "this node was removed from the cluster (downed as unreachable, or it left); restart it to join again"));
        }, TaskScheduler.Default);
        var coordinatorName = NodeActorSystem.CoordinatorName(Settings.Id);
        var leases = MongoLeaseStores.Get(System).For(System.Settings.Config.GetConfig(MongoLease.ConfigPath));
        Management = new ManagementServer(Settings.Management,
            new ManagementContext(ClusterView = new AkkaClusterView(akka, store, leases, NodeActorSystem.SingletonLeaseName(System, coordinatorName),
                Settings.Cluster.Enabled ? WorkUnitSharding.TypeName : null, sourceUnitLeases: new MongoLeaseViews(Checkpoints).LoadAsync),
                store, metrics, configuration, readiness)
            {
                Mode = Settings.Mode,
                ProgressSource = Progress.BuildAsync,
            }, loggers);
        await Management.StartAsync(cancellationToken).ConfigureAwait(false);

        // In a cluster the planned _id ranges, and once the copy is done the change streams, are sharded entities, each
        // run under its lease wherever sharding puts it; the singleton's dispatcher starts them from the checkpoints.
        var dispatcher = Settings.Cluster.Enabled
            ? WorkUnits.Start(System, new MongoLeasedWork(Pipeline, Checkpoints, loggers), Cluster, () => { })
            : null;

        // One pipeline per replication id, wherever the singleton runs and only while it holds the lease.
        System.ActorOf(ClusterSingletonManager.Props(
            CoordinatorSingleton.Props(MongoSyncRunner.Props(Pipeline.RunAsync, ended => _ended.TrySetResult(ended)), StopMongoSync.Instance, dispatcher),
            StopCoordinatorSingleton.Instance,
            ClusterSingletonManagerSettings.Create(System)), coordinatorName);
    }

    private static Task PingAsync(Driver.IMongoClient client, CancellationToken cancellationToken) =>
        client.GetDatabase("admin").RunCommandAsync<MongoDB.Bson.BsonDocument>(new MongoDB.Bson.BsonDocument("ping", 1), cancellationToken: cancellationToken);

    private DrainResult? _drained;

    /// <summary>
    /// Stops gracefully: no new copy or change batch starts, and those in flight are written and checkpointed (bounded
    /// by <paramref name="timeout"/>, by default <c>drain-timeout</c>); then the node leaves the cluster through Akka's
    /// CoordinatedShutdown: the singleton cancels the run (whatever is still in flight after the drain is cancelled, its
    /// checkpoint stays before it) and hands its lease on, and the actor system terminates. Disposing calls this.
    /// </summary>
    public async Task<DrainResult> StopAsync(TimeSpan? timeout = null)
    {
        if (_drained is { } done) return done;
        _stopping = true;
        var drainFor = timeout ?? Settings.DrainTimeout;
        var result = Pipeline is null ? new DrainResult(0, true) : await Pipeline.Drain.DrainAsync(drainFor).ConfigureAwait(false);
        if (!result.Finished)
            _logger.LogWarning("stopping: {InFlight} in-flight batch(es) did not finish within {Timeout} (replication.drain-timeout); cancelling them (their positions stay before them)",
                Pipeline!.Drain.InFlight, drainFor);
        if (System is not null)
        {
            // CoordinatedShutdown hands the shard region's range and change stream entities off first: each hands its lease
            // back once its writes in flight have ended, so the other members need not wait for it to expire.
            try
            {
                await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(ReplicationNode.StopAfterDrainTimeout).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning("stopping: leaving the cluster did not finish within {Timeout} ({Error}); terminating", ReplicationNode.StopAfterDrainTimeout, e.Message);
            }
            await System.Terminate().ConfigureAwait(false);
        }
        return _drained = result;
    }

    /// <summary>
    /// Stops the actor system without draining, handing leases back or leaving the cluster: what the others see of a
    /// node that died (its leases move only once they expire). For failover tests and drills.
    /// </summary>
    public async Task StopWithoutHandOverAsync()
    {
        _stopping = true;
        _drained = new DrainResult(0, false);
        if (System is not null) await System.Terminate().ConfigureAwait(false);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return; // a test may stop a node itself and dispose it again on cleanup
        _disposed = true;
        await StopAsync().ConfigureAwait(false);
        if (Management is not null) await Management.DisposeAsync().ConfigureAwait(false);
        foreach (var d in _disposables) d.Dispose();
    }
}
