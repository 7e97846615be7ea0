using Akka.Actor;

namespace Replication.ShardActors.MongoSource;

/// <summary>
/// The root of one generation's copy: a <see cref="CollectionSyncActor"/> per collection, and the <c>copiers</c> slots
/// they share — planning a collection or copying one range takes a slot, so at most that many run at once whatever the
/// number of collections, and a large collection's ranges spread over all free slots. Collections are restarted with
/// back-off by <see cref="WorkerSupervision"/>; <paramref name="finished"/> is called once every collection is copied.
/// </summary>
public sealed class DbSyncersActor : ReceiveActor
{
    private readonly Queue<IActorRef> _waiting = new();
    private readonly HashSet<string> _remaining;
    private readonly IReadOnlyList<CollectionToCopy> _collections;
    private readonly DbSyncerServices _services;
    private readonly Action _finished;
    private int _free;

    public DbSyncersActor(DbSyncerServices services, IReadOnlyList<CollectionToCopy> collections, int copiers, Action finished)
    {
        _services = services;
        _collections = collections;
        _finished = finished;
        _free = Math.Max(1, copiers);
        _remaining = collections.Select(c => c.Source.FullName).ToHashSet(StringComparer.Ordinal);

        Receive<CopierSlotWanted>(_ =>
        {
            _waiting.Enqueue(Sender);
            Grant();
        });
        Receive<CopierSlotsReturned>(returned =>
        {
            _free += returned.Count;
            Grant();
        });
        Receive<CollectionCopied>(copied =>
        {
            if (_remaining.Remove(copied.Namespace) && _remaining.Count == 0) _finished();
        });
    }

    public static Props Props(DbSyncerServices services, IReadOnlyList<CollectionToCopy> collections, int copiers, Action finished) =>
        Akka.Actor.Props.Create(() => new DbSyncersActor(services, collections, copiers, finished)).WithSupervisorStrategy(WorkerSupervision.Strategy);

    protected override void PreStart()
    {
        if (_collections.Count == 0)
        {
            _finished();
            return;
        }
        for (var i = 0; i < _collections.Count; i++) Context.ActorOf(CollectionSyncActor.Props(_services, _collections[i]), $"collection-{i}");
    }

    private void Grant()
    {
        while (_free > 0 && _waiting.TryDequeue(out var collection))
        {
            _free--;
            collection.Tell(new CopierSlotGranted());
        }
    }
}
