using Akka.Actor;

namespace Replication.Coordinator.Actors;

/// <summary>ClusterSingletonManager → <see cref="CoordinatorSingleton"/>: the singleton is handed over or the node leaves.</summary>
public sealed class StopCoordinatorSingleton
{
    public static readonly StopCoordinatorSingleton Instance = new();

    private StopCoordinatorSingleton()
    {
    }
}

/// <summary>
/// What runs as the coordinator ClusterSingleton: the coordinator (DynamoDB: <see cref="CoordinatorActor"/>; MongoDB:
/// <see cref="MongoSyncRunner"/>) and, in a cluster, the dispatcher that starts the work units' sharded entities from the
/// checkpoints. A stop is passed on to the coordinator as its own stop message; the singleton ends when the coordinator has.
/// </summary>
public sealed class CoordinatorSingleton : ReceiveActor
{
    private readonly Props _coordinator;
    private readonly object _coordinatorStop;
    private readonly Props? _dispatcher;
    private IActorRef _running = ActorRefs.Nobody;

    public CoordinatorSingleton(Props coordinator, object coordinatorStop, Props? dispatcher)
    {
        _coordinator = coordinator;
        _coordinatorStop = coordinatorStop;
        _dispatcher = dispatcher;
        Receive<StopCoordinatorSingleton>(_ => _running.Tell(_coordinatorStop));
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_running)) Context.Stop(Self);
        });
    }

    /// <param name="coordinatorStop">What stops the coordinator (PoisonPill, or its own graceful stop message).</param>
    /// <param name="dispatcher">The work units' dispatcher; null without a cluster, where the coordinator's node runs every unit itself.</param>
    public static Props Props(Props coordinator, object coordinatorStop, Props? dispatcher) =>
        Akka.Actor.Props.Create(() => new CoordinatorSingleton(coordinator, coordinatorStop, dispatcher));

    protected override void PreStart()
    {
        _running = Context.ActorOf(_coordinator, "coordinator");
        Context.Watch(_running);
        if (_dispatcher is not null) Context.ActorOf(_dispatcher, "units");
    }
}
