namespace Replication.Actors;

/// <summary>An address to send messages to; the only way to talk to an actor.</summary>
public interface IActorRef
{
    ActorPath Path { get; }

    /// <summary>Enqueues <paramref name="message"/>; never blocks and never throws for a stopped recipient (the message becomes a dead letter).</summary>
    void Tell(object message, IActorRef? sender = null);
}

public static class ActorRefs
{
    /// <summary>Use as sender when there is no one to reply to.</summary>
    public static readonly IActorRef? NoSender = null;

    /// <summary>A reference that swallows every message; the parent of the top-level guardian.</summary>
    public static readonly IActorRef Nobody = new NobodyActorRef();

    private sealed class NobodyActorRef : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root("nobody", "nobody");

        public void Tell(object message, IActorRef? sender = null)
        {
        }

        public override string ToString() => Path.ToString();
    }
}
