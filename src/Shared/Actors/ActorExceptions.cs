namespace Replication.Actors;

/// <summary>An actor could not be constructed or its PreStart threw; the default supervisor stops it.</summary>
public sealed class ActorInitializationException(IActorRef actor, Exception cause)
    : Exception($"Actor {actor.Path} failed to initialize: {cause.Message}", cause)
{
    public IActorRef Actor { get; } = actor;
}

/// <summary>Raised inside an actor that received <see cref="Kill"/>.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>Raised inside an actor that received a <see cref="Terminated"/> it does not handle (it watched an actor and did not say what to do when it stopped).</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Watched actor {deadActor.Path} terminated and the watcher does not handle Terminated")
{
    public IActorRef DeadActor { get; } = deadActor;
}

/// <summary>An Ask did not get a reply in time.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>A child name is malformed or already taken under the same parent.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);
