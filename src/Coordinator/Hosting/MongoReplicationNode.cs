using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Health;
using Replication.Coordinator.Management.Progress;
using Replication.Metrics;
using Replication.MongoAccess;
using Replication.ShardActors.MongoSource;
using Driver = MongoDB.Driver;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// One running node of a MongoDB → MongoDB replication: the source, target and checkpoint clients, the management
/// endpoints, its membership of the cluster, and the <see cref="MongoSyncPipeline"/> — run while this node holds the
/// coordinator lease (a second node with the same id waits as a standby and takes over when the first stops).
/// <see cref="Completion"/> ends when the work is over (mode full) or cannot go on.
/// </summary>
public sealed class MongoReplicationNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<MongoSyncEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _disposables = [];
    private ILogger _logger = null!;
    private Task _running = Task.CompletedTask;
    private ClusterHeartbeat? _heartbeat;

    private MongoReplicationNode(ReplicationSettings settings) => Settings = settings;

    public ReplicationSettings Settings { get; }
    public ClusterContext Cluster { get; private set; } = null!;
    public ManagementServer Management { get; private set; } = null!;
    public MongoSyncCheckpoints Checkpoints { get; private set; } = null!;
    public MongoProgressReportBuilder Progress { get; private set; } = null!;
    public MongoSyncPipeline Pipeline { get; private set; } = null!;

    /// <summary>The node's actor system: the DB-syncers and the change stream followers run on it.</summary>
    public Akka.Actor.ActorSystem System { get; private set; } = null!;
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
        Progress = new MongoProgressReportBuilder(Checkpoints, TimeProvider.System);
        var configuration = Settings.Configuration ?? ReplicationConfiguration.Load(null, [], new Dictionary<string, string>()).Config;
        System = NodeActorSystem.Create(configuration, loggers);
        Pipeline = new MongoSyncPipeline(source, target, Checkpoints, Settings, metrics, loggers, System);
        _disposables.Add(Pipeline);

        // Membership, the coordinator lease and the dead letters live in the same checkpoint database as for DynamoDB.
        var checkpointDatabase = checkpointClient.GetDatabase(Settings.CheckpointDatabase);
        var store = new CheckpointStore(checkpointDatabase, Settings.DeadLetterCollection);
        await store.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        Cluster = new ClusterContext(NodeIdentity.Resolve(Settings.Cluster.NodeId), Settings.Cluster,
            new ClusterMembership(checkpointDatabase, Settings.Cluster), new LeaseTable(checkpointDatabase), new CoordinatorLease(checkpointDatabase));

        var readiness = new NodeReadiness(ct => PingAsync(source, ct), ct => PingAsync(target, ct)) { LeasesSynced = true };
        Management = new ManagementServer(Settings.Management,
            new ManagementContext(new CheckpointClusterView(Cluster, store), store, metrics, configuration, readiness)
            {
                Mode = Settings.Mode,
                ProgressSource = Progress.BuildAsync,
            }, loggers);
        await Management.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = Management.IsServing ? Management.BaseAddress.ToString().TrimEnd('/') : "";
        string[] roles = ["single-node"];
        await Cluster.Membership.JoinAsync(Cluster.NodeId, address, roles, cancellationToken).ConfigureAwait(false);
        readiness.Joined = true;
        _heartbeat = new ClusterHeartbeat(Cluster, address, roles, loggers.CreateLogger<ClusterHeartbeat>());
        _running = RunWhileLeadingAsync(_stop.Token);
    }

    /// <summary>Holds the coordinator lease while the pipeline runs; losing it stops the pipeline before another node may start.</summary>
    private async Task RunWhileLeadingAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var fence = await Cluster.Coordinator.TryAcquireAsync(Cluster.NodeId, Settings.Cluster.LeaseDuration, stopping).ConfigureAwait(false);
                if (fence is null)
                {
                    await Task.Delay(Settings.Cluster.LeaseRenewInterval, stopping).ConfigureAwait(false);
                    continue;
                }
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var run = Pipeline.RunAsync(leading.Token);
                var renew = RenewAsync(fence, run, leading);
                try
                {
                    var ended = await run.ConfigureAwait(false);
                    _ended.TrySetResult(ended);
                    return;
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    _logger.LogWarning("lost the coordinator lease; the run stopped and waits to take it again");
                }
                finally
                {
                    await leading.CancelAsync().ConfigureAwait(false);
                    await renew.ConfigureAwait(false);
                    if (stopping.IsCancellationRequested)
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                        try
                        {
                            await Cluster.Coordinator.ReleaseAsync(fence, timeout.Token).ConfigureAwait(false);
                        }
                        catch (Exception e)
                        {
                            _logger.LogWarning("stopping: could not hand back the coordinator lease: {Error}", e.Message);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "MongoDB replication failed");
            _ended.TrySetResult(new MongoSyncEnded(false, e.Message));
        }
    }

    private async Task RenewAsync(CheckpointFence fence, Task run, CancellationTokenSource leading)
    {
        using var timer = new PeriodicTimer(Settings.Cluster.LeaseRenewInterval);
        try
        {
            while (!run.IsCompleted && await timer.WaitForNextTickAsync(leading.Token).ConfigureAwait(false))
            {
                bool renewed;
                try
                {
                    renewed = await Cluster.Coordinator.RenewAsync(fence, Settings.Cluster.LeaseDuration, leading.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogWarning("could not renew the coordinator lease: {Error}", e.Message);
                    continue; // the lease lasts lease-duration; the next tick tries again
                }
                if (!renewed)
                {
                    await leading.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task PingAsync(Driver.IMongoClient client, CancellationToken cancellationToken) =>
        client.GetDatabase("admin").RunCommandAsync<MongoDB.Bson.BsonDocument>(new MongoDB.Bson.BsonDocument("ping", 1), cancellationToken: cancellationToken);

    /// <summary>Stops the run (the batch or page in flight is cancelled; its checkpoint stays before it), hands the lease back, leaves the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (System is not null) await System.Terminate().ConfigureAwait(false);
        if (_heartbeat is not null) await _heartbeat.DisposeAsync().ConfigureAwait(false);
        if (Cluster is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await Cluster.Membership.RemoveAsync(Cluster.NodeId, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning("stopping: could not leave the cluster: {Error}", e.Message);
            }
        }
        if (Management is not null) await Management.DisposeAsync().ConfigureAwait(false);
        foreach (var d in _disposables) d.Dispose();
        _stop.Dispose();
    }
}
