using Microsoft.Extensions.Logging;
using Replication.Actors;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Actors;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.Metrics;
using Replication.Mongo;
using Replication.ShardActors;
using Replication.ShardActors.Streams;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// One running node: the source and target clients, the checkpoint store, the actor system and its coordinator.
/// <see cref="Completion"/> ends when the work is over (mode `full`) or cannot go on; disposing stops the actors
/// top-down and closes the clients.
/// </summary>
public sealed class ReplicationNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<ReplicationEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IAsyncDisposable> _clients = [];
    private readonly List<IDisposable> _disposables = [];

    private ReplicationNode(ReplicationSettings settings) => Settings = settings;

    public ReplicationSettings Settings { get; }
    public ActorSystem System { get; private set; } = null!;
    public ReplicationServices Services { get; private set; } = null!;
    public Task<ReplicationEnded> Completion => _ended.Task;

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
        var dynamo = DynamoOptions(Settings.Source.DynamoDb);
        var transport = new DynamoHttpTransport(dynamo);
        _disposables.Add(transport);
        var streams = new DynamoStreamsClient(transport);
        var control = await DynamoControlClientFactory.CreateAsync(dynamo, cancellationToken).ConfigureAwait(false);
        _disposables.Add(control);
        var catalog = new DynamoTableCatalog(control, streams);

        var target = new MongoClient(Settings.Target.Uri);
        _clients.Add(target);
        var checkpointClient = Settings.CheckpointUri == Settings.Target.Uri ? target : new MongoClient(Settings.CheckpointUri);
        if (!ReferenceEquals(checkpointClient, target)) _clients.Add(checkpointClient);
        var checkpoints = new CheckpointStore(checkpointClient.GetDatabase(Settings.CheckpointDatabase), Settings.DeadLetterCollection);
        await checkpoints.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);

        var metrics = new ReplicationMetrics();
        _disposables.Add(metrics);
        Services = new ReplicationServices(Settings, new DynamoScanClient(transport), new DynamoStreamSource(streams),
            target.GetDatabase(Settings.Target.Database), checkpoints, metrics, loggers);

        System = ActorSystem.Create("replication", ActorSystemSettings.Default, loggers);
        System.ActorOf(CoordinatorActor.Props(Services, catalog, ended => _ended.TrySetResult(ended)), "coordinator");
    }

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

    /// <summary>How long a stop waits for in-flight pages and batches to be written and checkpointed before it cancels them.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private DrainResult? _drained;

    /// <summary>
    /// Stops gracefully: no new Scan page or stream batch starts, those in flight are written and checkpointed (bounded by
    /// <paramref name="timeout"/>, then cancelled), and the actors stop. Disposing calls this.
    /// </summary>
    public async Task<DrainResult> StopAsync(TimeSpan? timeout = null)
    {
        if (_drained is { } done) return done;
        var result = Services is null ? new DrainResult(0, true) : await Services.Drain.DrainAsync(timeout ?? DrainTimeout).ConfigureAwait(false);
        if (!result.Finished)
            Services!.Loggers.CreateLogger<ReplicationNode>().LogWarning(
                "stopping: {InFlight} in-flight batch(es) did not finish within {Timeout}; cancelling them (their positions stay before them)",
                Services.Drain.InFlight, timeout ?? DrainTimeout);
        if (System is not null) await System.Terminate().ConfigureAwait(false);
        return _drained = result;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var client in _clients) await client.DisposeAsync().ConfigureAwait(false);
        foreach (var d in _disposables) d.Dispose();
        Services?.FullSyncLimiter?.Dispose();
    }
}
