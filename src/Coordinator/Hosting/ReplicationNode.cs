using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Replication.AkkaCluster.Lease;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Actors;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Health;
using Replication.Dependencies;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.Metrics;
using Replication.MongoAccess;
using Replication.ShardActors;
using Replication.ShardActors.Cluster;
using Replication.ShardActors.Streams;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// One running node: the source and target clients, the checkpoint store, the actor system (an Akka.Cluster member),
/// the coordinator as an Akka ClusterSingleton under the MongoDB lease and — with <c>cluster.enabled</c> — the lease
/// worker that runs this node's share of the segments and shards. <see cref="Completion"/> ends when the work is over
/// (mode `full`) or cannot go on (also when the node is downed and removed from the cluster); disposing drains, hands
/// the leases back, leaves the cluster (CoordinatedShutdown), and closes the clients.
/// </summary>
public sealed class ReplicationNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<ReplicationEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IMongoClient> _clients = [];
    private readonly List<IDisposable> _disposables = [];

    private ReplicationNode(ReplicationSettings settings) => Settings = settings;

    public ReplicationSettings Settings { get; }
    public ActorSystem System { get; private set; } = null!;
    public ReplicationServices Services { get; private set; } = null!;
    public ClusterContext Cluster { get; private set; } = null!;

    /// <summary>The cluster as this node sees it (Akka's membership and the leases): what /cluster/members and /cluster/shards show.</summary>
    public IClusterView ClusterView { get; private set; } = null!;
    public Task<ReplicationEnded> Completion => _ended.Task;

    /// <summary>The management endpoints; <see cref="ManagementServer.IsServing"/> is false when they are disabled.</summary>
    public ManagementServer Management { get; private set; } = null!;

    private NodeReadiness? _readiness;
    private IAmazonDynamoDB? _control;
    private DependencyWatch? _watch;
    private volatile bool _stopping;

    public static async Task<ReplicationNode> StartAsync(ReplicationSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        if (settings.Source.Type != SourceType.DynamoDb)
            throw new NotSupportedException("replication.source.type = mongodb is not available yet; only DynamoDB sources run in this version");
        var node = new ReplicationNode(settings);
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
        var metrics = new ReplicationMetrics();
        _disposables.Add(metrics);
        var health = new DependencyHealth(metrics, loggers.CreateLogger("Replication.Dependencies"));
        _disposables.Add(health);
        var dynamo = DynamoOptions(Settings.Source.DynamoDb) with
        {
            RetriedFault = fault =>
            {
                if (fault is DynamoNetworkException) health.Failed(DependencyHealth.Source, DependencyWatch.KindOf(fault), fault.Message);
                else health.Fault(DependencyHealth.Source, DependencyWatch.KindOf(fault));
            },
        };
        var transport = new DynamoHttpTransport(dynamo);
        _disposables.Add(transport);
        var streams = new DynamoStreamsClient(transport);
        var control = await DynamoControlClientFactory.CreateAsync(dynamo, cancellationToken).ConfigureAwait(false);
        _disposables.Add(control);
        _control = control;
        var catalog = new DynamoTableCatalog(control, streams);

        var configuration = Settings.Configuration ?? ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config;
        System = NodeActorSystem.Create(configuration, loggers, Settings.Cluster.Enabled);
        var akka = Akka.Cluster.Cluster.Get(System);
        var nodeId = akka.SelfAddress.ToString();
        // The node id (its Akka address) as appName: server logs and currentOp (and the fencing tests) tell which node sent what.
        var target = MongoClientFactory.Create(Settings.Target.Uri, applicationName: nodeId);
        _clients.Add(target);
        var checkpointClient = Settings.CheckpointUri == Settings.Target.Uri ? target : MongoClientFactory.Create(Settings.CheckpointUri, applicationName: nodeId);
        if (!ReferenceEquals(checkpointClient, target)) _clients.Add(checkpointClient);
        var checkpointDatabase = checkpointClient.GetDatabase(Settings.CheckpointDatabase);
        var checkpoints = new CheckpointStore(checkpointDatabase, Settings.DeadLetterCollection);
        await checkpoints.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        Cluster = new ClusterContext(nodeId, Settings.Cluster, new LeaseTable(checkpointDatabase),
            () => MongoLeaseStores.Get(System).Holds(NodeActorSystem.SingletonLeaseName(System, NodeActorSystem.CoordinatorName(Settings.Id))));

        Services = new ReplicationServices(Settings, new DynamoScanClient(transport), new DynamoStreamSource(streams),
            target.GetDatabase(Settings.Target.Database), checkpoints, metrics, loggers)
        {
            Cluster = Settings.Cluster.Enabled ? Cluster : null,
        };

        // Before any work starts, so the endpoints count every metric and answer while the node joins.
        var restarts = Services.Restarts;
        _readiness = new NodeReadiness(CheckSourceAsync, CheckTargetAsync)
        {
            LeasesSynced = !Settings.Cluster.Enabled,
            FailedUnits = () => restarts.StoppedUnits.Select(u => $"{u.Unit} at {u.Failure.Position ?? "(start)"}: {u.Failure.Error}").ToArray(),
        };
        var readiness = _readiness;
        akka.RegisterOnMemberUp(() => readiness.Joined = true);
        akka.RegisterOnMemberRemoved(() => readiness.Joined = false);
        // A node downed by the Split Brain Resolver (or otherwise removed) cannot do any more work: the process ends, and
        // whatever supervises it starts it again as a new member.
        _ = System.WhenTerminated.ContinueWith(_ =>
        {
            if (!_stopping) _ended.TrySetResult(new ReplicationEnded(false, "this node was removed from the cluster (downed as unreachable, or it left); restart it to join again"));
        }, TaskScheduler.Default);
        var coordinatorName = NodeActorSystem.CoordinatorName(Settings.Id);
        var leases = MongoLeaseStores.Get(System).For(System.Settings.Config.GetConfig(MongoLease.ConfigPath));
        Management = new ManagementServer(Settings.Management,
            new ManagementContext(ClusterView = new AkkaClusterView(akka, checkpoints, leases, NodeActorSystem.SingletonLeaseName(System, coordinatorName),
                Settings.Cluster.Enabled ? WorkUnitSharding.TypeName : null), checkpoints, metrics, configuration, _readiness)
            {
                Mode = Settings.Mode,
            }, loggers);
        await Management.StartAsync(cancellationToken).ConfigureAwait(false);

        // One attempt, time-boxed: the watch wants the cause of each failure, not the retries of a data-plane call.
        var sourcePing = new DynamoHttpTransport(DynamoOptions(Settings.Source.DynamoDb) with { MaxAttempts = 1, RequestTimeout = TimeSpan.FromSeconds(5) });
        _disposables.Add(sourcePing);
        List<(string, Func<CancellationToken, Task>)> watched =
        [
            (DependencyHealth.Source, async ct => (await sourcePing.SendAsync(sourcePing.Endpoints.DynamoDb, "DynamoDB_20120810.ListTables",
                json => json.WriteNumber("Limit", 1), ct).ConfigureAwait(false)).Dispose()),
            (DependencyHealth.Target, CheckTargetAsync),
        ];
        if (!ReferenceEquals(checkpointClient, target))
            watched.Add((DependencyHealth.Checkpoints, ct => PingAsync(checkpointDatabase, ct)));
        _watch = new DependencyWatch(health, [.. watched]);

        // In a cluster the segments and shards are sharded entities: every node hosts a shard region and watches the
        // leases; the coordinator singleton's dispatcher starts the entities from the checkpoints.
        var dispatcher = Settings.Cluster.Enabled
            ? WorkUnits.Start(System, new TableLeasedWork(Services), Cluster, () => readiness.LeasesSynced = true)
            : null;
        // Off or on, one coordinator per replication id: the singleton runs on the oldest member, and only while it holds
        // the MongoDB lease (akka.cluster.singleton.use-lease) — so a node of another cluster, or a second one-node
        // cluster, with the same id waits as a standby instead of doubling the work.
        System.ActorOf(ClusterSingletonManager.Props(
            CoordinatorSingleton.Props(CoordinatorActor.Props(Services, catalog, ended => _ended.TrySetResult(ended)), PoisonPill.Instance, dispatcher),
            StopCoordinatorSingleton.Instance,
            ClusterSingletonManagerSettings.Create(System)), coordinatorName);
    }

    /// <summary>One ListTables call: throws when the source cannot be reached or refuses this node's credentials.</summary>
    public Task CheckSourceAsync(CancellationToken cancellationToken) =>
        (_control ?? throw new InvalidOperationException("the node has not started")).ListTablesAsync(new ListTablesRequest { Limit = 1 }, cancellationToken);

    /// <summary>A ping of the target database: throws when it cannot be reached.</summary>
    public Task CheckTargetAsync(CancellationToken cancellationToken) => PingAsync(Services.Target, cancellationToken);

    // A failure to reach the deployment becomes one message naming the host, for /ready and the dependency health.
    private static Task PingAsync(IMongoDatabase database, CancellationToken cancellationToken) =>
        MongoFailureTranslator.GuardAsync(database.Client, $"ping of database '{database.DatabaseNamespace.DatabaseName}'",
            () => database.RunCommandAsync<BsonDocument>(new BsonDocument { { "ping", 1 } }, cancellationToken: cancellationToken));

    public static DynamoHttpOptions DynamoOptions(DynamoSourceSettings source) => new()
    {
        Region = source.Region.Length > 0 ? source.Region : "us-east-1",
        ServiceUrl = source.Endpoint.Length > 0 ? new Uri(source.Endpoint) : null,
        Credentials = source.AccessKeyId.Length > 0
            ? DynamoCredentialSource.FromKeys(source.AccessKeyId, source.SecretAccessKey, source.SessionToken.Length > 0 ? source.SessionToken : null)
            : source.Profile.Length > 0 ? DynamoCredentialSource.FromProfile(source.Profile) : DynamoCredentialSource.DefaultChain,
        RequestTimeout = source.RequestTimeout,
        MaxAttempts = source.MaxAttempts,
    };

    /// <summary>
    /// The longest a stop may take after the drain (<see cref="ReplicationSettings.DrainTimeout"/>): handing the leases back
    /// and stopping the actors, which cancels whatever is still in flight. Program's termination timeout allows for both.
    /// </summary>
    public static readonly TimeSpan StopAfterDrainTimeout = TimeSpan.FromSeconds(10);

    private DrainResult? _drained;

    /// <summary>
    /// Stops gracefully: no new Scan page or stream batch starts, those in flight are written and checkpointed (bounded by
    /// <paramref name="timeout"/>, by default <c>drain-timeout</c>); then the leases are handed back and the actors stop,
    /// which cancels whatever is still in flight (its position stays before it). Disposing calls this.
    /// </summary>
    public async Task<DrainResult> StopAsync(TimeSpan? timeout = null)
    {
        if (_drained is { } done) return done;
        var drainFor = timeout ?? Settings.DrainTimeout;
        var result = Services is null ? new DrainResult(0, true) : await Services.Drain.DrainAsync(drainFor).ConfigureAwait(false);
        if (!result.Finished)
            Services!.Loggers.CreateLogger<ReplicationNode>().LogWarning(
                "stopping: {InFlight} in-flight batch(es) did not finish within {Timeout} (replication.drain-timeout); cancelling them (their positions stay before them)",
                Services.Drain.InFlight, drainFor);
        if (System is not null) await LeaveClusterAsync().ConfigureAwait(false);
        return _drained = result;
    }

    /// <summary>
    /// Leaves the cluster through Akka's CoordinatedShutdown: the shard region hands its shards off first (each unit entity
    /// stops its unit, revokes its fence, waits for its writes in flight and hands the lease back, so the other nodes need
    /// not wait for it to expire), then the singleton moves to the next oldest member and releases its lease, the member
    /// goes Leaving → Exiting → Removed, and the actor system terminates.
    /// </summary>
    private async Task LeaveClusterAsync()
    {
        _stopping = true;
        var started = TimeProvider.System.GetTimestamp();
        if (_readiness is not null) _readiness.Joined = false;
        var left = StopAfterDrainTimeout - TimeProvider.System.GetElapsedTime(started);
        try
        {
            await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(left).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Services.Loggers.CreateLogger<ReplicationNode>().LogWarning("stopping: leaving the cluster did not finish within {Timeout} ({Error}); terminating", StopAfterDrainTimeout, e.Message);
        }
        await System.Terminate().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the actor system without draining, handing anything over or leaving the cluster: in-flight pages and batches
    /// are cancelled (a write already sent may still land, with or without its checkpoint), the other members see this
    /// one become unreachable until the Split Brain Resolver downs it, and its leases move only when they expire. Not a
    /// crash — the process and its clients live on until disposed; the kill tests SIGKILL a real process for that. For
    /// failover tests and drills.
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
        if (_watch is not null) await _watch.DisposeAsync().ConfigureAwait(false);
        if (Management is not null) await Management.DisposeAsync().ConfigureAwait(false);
        foreach (var client in _clients) client.Dispose();
        foreach (var d in _disposables) d.Dispose();
        Services?.FullSyncLimiter?.Dispose();
    }
}
