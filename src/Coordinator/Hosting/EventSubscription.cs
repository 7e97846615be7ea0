using Akka.Actor;

namespace Replication.Coordinator.Hosting;

/// <summary>
/// Lets code outside the actor tree (the run command's progress log and live view) hear events the actors publish on
/// Akka's event stream: a small subscriber actor hands each event to a callback, one at a time. Dispose to unsubscribe.
/// </summary>
public sealed class EventSubscription<T> : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _subscriber;

    public EventSubscription(ActorSystem system, Action<T> handler)
    {
        _system = system;
        _subscriber = system.ActorOf(Props.Create(() => new Subscriber(handler)));
        system.EventStream.Subscribe(_subscriber, typeof(T));
    }

    public void Dispose()
    {
        _system.EventStream.Unsubscribe(_subscriber);
        _system.Stop(_subscriber);
    }

    private sealed class Subscriber : ReceiveActor
    {
        public Subscriber(Action<T> handler) => Receive<T>(handler);
    }
}
