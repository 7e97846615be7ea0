using Microsoft.Extensions.Logging;
using Akka.Actor;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Discovery;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.ShardActors;
using Replication.ShardActors.Tables;

namespace Replication.Coordinator.Actors;

/// <summary>The node's work is over (mode `full`, every table copied) or cannot go on; the host ends with this outcome.</summary>
public sealed record ReplicationEnded(bool Success, string Message);

/// <summary>
/// Discovers the tables to replicate (all pages, then the filter), makes sure each has a stream with new images,
/// records each in the checkpoint store and runs one TableActor per table. Re-discovers on a timer, so a table added
/// to the source later is picked up and full-synced on its own.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan StreamActivationTimeout = TimeSpan.FromMinutes(5);

    private readonly ReplicationServices _services;
    private readonly DynamoTableCatalog _catalog;
    private readonly TableFilter _filter;
    private readonly CollectionNaming _naming;
    private readonly Action<ReplicationEnded> _ended;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _fullSyncDone = new(StringComparer.Ordinal);
    private readonly HashSet<string> _missingReported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stoppedAsDeleted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _streamEnded = new(StringComparer.Ordinal);

    public CoordinatorActor(ReplicationServices services, DynamoTableCatalog catalog, Action<ReplicationEnded> ended)
    {
        _services = services;
        _catalog = catalog;
        _filter = new TableFilter(services.Settings.Filter.Include, services.Settings.Filter.Exclude);
        _naming = new CollectionNaming(services.Settings.Renames, services.Settings.Target.Database);
        _ended = ended;
        Log = ActorLog.For(services.Loggers, Context);

        ReceiveAsync<Discover>(_ => DiscoverAsync());
        Receive<TableFullSyncDone>(done =>
        {
            _fullSyncDone.Add(done.Table);
            if (services.Settings.Mode == SyncMode.Full && Context.GetChildren().All(c => _fullSyncDone.Contains(c.Path.Name)))
                _ended(new ReplicationEnded(true, $"full sync of {_fullSyncDone.Count} table(s) done"));
        });
        // Acted on at the next discovery: a deleted table is stopped as such, another is started again on its current stream.
        Receive<TableStreamEnded>(ended => _streamEnded.Add(ended.Table));
        Receive<TableFailed>(failed => _ended(new ReplicationEnded(false, $"table '{failed.Table}': {failed.Reason}")));
        Receive<Status.Failure>(failure => throw failure.Cause);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log { get; }

    public static Props Props(ReplicationServices services, DynamoTableCatalog catalog, Action<ReplicationEnded> ended) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(services, catalog, ended));

    // A failed table restarts at once; it waits out its own back-off (RestartBackoff.Workers) before it starts again.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        // A table actor escalates its workers' failures as they came, wrapped (SegmentCopyException, ShardProcessingException…).
        if (WorkerSupervision.IsTableGone(cause))
        {
            Log.LogWarning("a replicated table no longer exists; its replication stopped: {Error}", cause.Message);
            return Directive.Stop;
        }
        return Directive.Restart;
    });

    protected override void PreStart()
    {
        Self.Tell(new Discover());
        Timers.StartPeriodicTimer("discover", new Discover(), _services.Settings.Incremental.ShardDiscoveryInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task DiscoverAsync()
    {
        var names = await _catalog.ListTableNamesAsync(cancellationToken: _stopping.Token);
        ReportMissingExplicitTables(names);
        StopDeletedTables(names);
        foreach (var name in _filter.Apply(names))
        {
            if (Context.Child(name) is var running && !running.IsNobody())
            {
                if (_streamEnded.Remove(name))
                {
                    Log.LogInformation("table {Table}: its stream ended; its replication starts again on the table's current stream", name);
                    Context.Stop(running);
                }
                continue;
            }
            // Before DescribeTable and EnsureStream: a table whose collection MongoDB cannot hold must not get a stream enabled.
            string collection;
            try
            {
                collection = _naming.CollectionFor(name);
            }
            catch (InvalidOperationException e)
            {
                _ended(new ReplicationEnded(false, e.Message));
                return;
            }
            DynamoTableInfo info;
            try
            {
                info = _services.Settings.Mode == SyncMode.Full
                    ? await _catalog.DescribeTableAsync(name, _stopping.Token)
                    : await _catalog.EnsureStreamAsync(name, StreamActivationTimeout, _stopping.Token);
            }
            catch (StreamViewTypeException e)
            {
                _ended(new ReplicationEnded(false, e.Message));
                return;
            }
            catch (DynamoTableNotFoundException e)
            {
                Log.LogWarning("{Error}", e.Message); // deleted between listing and describing
                continue;
            }

            await _services.Checkpoints.RegisterTableAsync(new TableRegistration(name, collection, info.KeySchema, info.Stream.LatestStreamArn, info.Stream.ViewType, info.ItemCount), _stopping.Token);
            Log.LogInformation("table {Table} → {Database}.{Collection} (about {Items} items)", name, _services.Target.DatabaseNamespace.DatabaseName, collection, info.ItemCount);
            Context.ActorOf(TableActor.Props(_services, name, info.GlobalSecondaryIndexes, info.ItemCount), name);
        }
        if (!Context.GetChildren().Any() && _missingReported.Add("(none)"))
            Log.LogWarning("no table matches replication.filter (include [{Include}], exclude [{Exclude}]); waiting for one to appear",
                string.Join(", ", _services.Settings.Filter.Include), string.Join(", ", _services.Settings.Filter.Exclude));
    }

    /// <summary>
    /// A deleted table's stream stays readable for a day and just closes, so its actors would wait for shards that never
    /// come: the listing is what tells us the table is gone.
    /// </summary>
    private void StopDeletedTables(IReadOnlyList<string> names)
    {
        var listed = names.ToHashSet(StringComparer.Ordinal);
        _stoppedAsDeleted.RemoveWhere(listed.Contains); // re-created: a later deletion is reported again
        foreach (var child in Context.GetChildren().Where(c => !listed.Contains(c.Path.Name) && _stoppedAsDeleted.Add(c.Path.Name)).ToList())
        {
            Log.LogWarning("table '{Table}' no longer exists in the source; its replication stopped (its target collection and checkpoints are kept)", child.Path.Name);
            _streamEnded.Remove(child.Path.Name);
            Context.Stop(child);
        }
    }

    /// <summary>A table named exactly (no wildcard) in filter.include that the source does not have is worth a clear word.</summary>
    private void ReportMissingExplicitTables(IReadOnlyList<string> names)
    {
        foreach (var pattern in _services.Settings.Filter.Include.Where(p => !p.Contains('*')))
        {
            if (!names.Contains(pattern, StringComparer.Ordinal) && _missingReported.Add(pattern))
                Log.LogWarning("table '{Table}' named in replication.filter.include does not exist in the source (region {Region}{Endpoint})",
                    pattern, _services.Settings.Source.DynamoDb.Region,
                    _services.Settings.Source.DynamoDb.Endpoint.Length > 0 ? ", endpoint " + _services.Settings.Source.DynamoDb.Endpoint : "");
        }
    }

    private sealed record Discover;
}
