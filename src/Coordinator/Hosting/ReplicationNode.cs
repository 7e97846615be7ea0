using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Akka.Actor;
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
/// One running node: the source and target clients, the checkpoint store, the actor system, its membership of the
/// cluster (heartbeats), the coordinator singleton and — with <c>cluster.enabled</c> — the lease worker that runs this
/// node's share of the segments and shards. <see cref="Completion"/> ends when the work is over (mode `full`) or cannot
/// go on; disposing drains, hands the leases back, stops the actors top-down and closes the clients.
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
    public Task<ReplicationEnded> Completion => _ended.Task;

    /// <summary>The management endpoints; <see cref="ManagementServer.IsServing"/> is false when they are disabled.</summary>
    public ManagementServer Management { get; private set; } = null!;

    private NodeReadiness? _readiness;
    private IAmazonDynamoDB? _control;
    private ClusterHeartbeat? _heartbeat;
    private IActorRef? _leaseWorker;
    private IActorRef? _coordinatorSingleton;
    private DependencyWatch? _watch;

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

        var nodeId = NodeIdentity.Resolve(Settings.Cluster.NodeId);
        // The node id as appName: server logs and currentOp (and the fencing tests) tell which node sent what.
        var target = MongoClientFactory.Create(Settings.Target.Uri, applicationName: nodeId);
        _clients.Add(target);
        var checkpointClient = Settings.CheckpointUri == Settings.Target.Uri ? target : MongoClientFactory.Create(Settings.CheckpointUri, applicationName: nodeId);
        if (!ReferenceEquals(checkpointClient, target)) _clients.Add(checkpointClient);
        var checkpointDatabase = checkpointClient.GetDatabase(Settings.CheckpointDatabase);
        var checkpoints = new CheckpointStore(checkpointDatabase, Settings.DeadLetterCollection);
        await checkpoints.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        Cluster = new ClusterContext(nodeId, Settings.Cluster,
            new ClusterMembership(checkpointDatabase, Settings.Cluster), new LeaseTable(checkpointDatabase), new CoordinatorLease(checkpointDatabase));

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
        var configuration = Settings.Configuration ?? ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config;
        Management = new ManagementServer(Settings.Management,
            new ManagementContext(new CheckpointClusterView(Cluster, checkpoints), checkpoints, metrics, configuration, _readiness) { Mode = Settings.Mode }, loggers);
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

        var address = Management.IsServing ? Management.BaseAddress.ToString().TrimEnd('/') : "";
        string[] roles = Settings.Cluster.Enabled ? ["worker"] : ["single-node"];
        await Cluster.Membership.JoinAsync(Cluster.NodeId, address, roles, cancellationToken).ConfigureAwait(false);
        _readiness.Joined = true;
        _heartbeat = new ClusterHeartbeat(Cluster, address, roles, loggers.CreateLogger<ClusterHeartbeat>());

        System = NodeActorSystem.Create(configuration, loggers);
        if (Settings.Cluster.Enabled) _leaseWorker = System.ActorOf(LeaseWorker.Props(Services, Cluster, () => _readiness.LeasesSynced = true), "leases");
        // Off or on, one coordinator per replication id: a second node waits as a standby instead of doubling the work.
        _coordinatorSingleton = System.ActorOf(
            CoordinatorSingleton.Props(Cluster, CoordinatorActor.Props(Services, catalog, ended => _ended.TrySetResult(ended)), loggers), "coordinator");
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
        if (Cluster is not null) await LeaveClusterAsync().ConfigureAwait(false);
        if (System is not null) await System.Terminate().ConfigureAwait(false);
        if (Cluster is not null) await TryAsync("leave the cluster", ct => Cluster.Membership.RemoveAsync(Cluster.NodeId, ct)).ConfigureAwait(false);
        return _drained = result;
    }

    /// <summary>Says it is leaving, then hands its leases back at once so the other nodes need not wait for them to expire.</summary>
    private async Task LeaveClusterAsync()
    {
        if (_readiness is not null) _readiness.Joined = false;
        await TryAsync("mark this node Leaving", ct => Cluster.Membership.LeaveAsync(Cluster.NodeId, ct)).ConfigureAwait(false);
        if (_heartbeat is not null) await _heartbeat.DisposeAsync().ConfigureAwait(false);
        _heartbeat = null;
        if (_leaseWorker is { } worker) await TryAsync("hand back its leases", ct => worker.Ask<LeasesReleased>(new ReleaseLeases(), HandBackTimeout, ct)).ConfigureAwait(false);
        if (_coordinatorSingleton is { } singleton)
            await TryAsync("hand back the coordinator lease", ct => singleton.Ask<CoordinatorReleased>(new ReleaseCoordinator(), HandBackTimeout, ct)).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the actors without draining or handing anything over: in-flight pages and batches are cancelled (a write
    /// already sent may still land, with or without its checkpoint), the node is not marked Leaving and keeps its leases,
    /// so the other nodes take the work over only when the leases expire. Not a crash — the process and its clients live
    /// on until disposed; the kill tests SIGKILL a real process for that. For failover tests and drills.
    /// </summary>
    public async Task StopWithoutHandOverAsync()
    {
        _drained = new DrainResult(0, false);
        if (_heartbeat is not null) await _heartbeat.DisposeAsync().ConfigureAwait(false);
        _heartbeat = null;
        if (System is not null) await System.Terminate().ConfigureAwait(false);
    }

    // Each step of leaving is bounded, so a stop after the drain stays within StopAfterDrainTimeout even when the checkpoint database is down.
    private static readonly TimeSpan HandBackTimeout = TimeSpan.FromSeconds(3);

    private async Task TryAsync(string what, Func<CancellationToken, Task> step)
    {
        try
        {
            using var timeout = new CancellationTokenSource(HandBackTimeout);
            await step(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Services.Loggers.CreateLogger<ReplicationNode>().LogWarning("stopping: could not {What}: {Error}", what, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_watch is not null) await _watch.DisposeAsync().ConfigureAwait(false);
        if (Management is not null) await Management.DisposeAsync().ConfigureAwait(false);
        foreach (var client in _clients) client.Dispose();
        foreach (var d in _disposables) d.Dispose();
        Services?.FullSyncLimiter?.Dispose();
    }
}
