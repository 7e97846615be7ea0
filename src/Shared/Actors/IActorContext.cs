using Microsoft.Extensions.Logging;

namespace Replication.Actors;

/// <summary>An actor's view of itself and its place in the tree; only valid on the actor's own turn.</summary>
public interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed (stays valid across awaits in a ReceiveAsync handler).</summary>
    IActorRef? Sender { get; }

    IActorRef Parent { get; }

    IReadOnlyCollection<IActorRef> Children { get; }

    ActorSystem System { get; }

    Props Props { get; }

    /// <summary>A logger whose every entry carries this actor's path in an <c>ActorPath</c> scope.</summary>
    ILogger Log { get; }

    IActorRef? Child(string name);

    /// <summary>Creates a child; <paramref name="name"/> must be unique among the live children, null generates one.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops a child or this actor itself, after the message being processed.</summary>
    void Stop(IActorRef actor);

    /// <summary>Asks for a <see cref="Terminated"/> message when <paramref name="subject"/> stops, also if it has already stopped.</summary>
    IActorRef Watch(IActorRef subject);

    IActorRef Unwatch(IActorRef subject);
}
