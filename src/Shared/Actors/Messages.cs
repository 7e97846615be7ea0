namespace Replication.Actors;

/// <summary>Stops the receiving actor once it reaches this message in its mailbox (messages queued before it are processed first).</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }
}

/// <summary>Makes the receiving actor fail with <see cref="ActorKilledException"/>; the default supervisor then stops it.</summary>
public sealed class Kill
{
    public static readonly Kill Instance = new();

    private Kill()
    {
    }
}

/// <summary>Sent to every watcher of an actor once it has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Replies that carry the outcome of an operation (used by Ask and PipeTo).</summary>
public static class Status
{
    public sealed record Success(object? Status);

    public sealed record Failure(Exception Cause);
}

/// <summary>Published on the event stream for each message that could not be delivered.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>Published on the event stream when an actor had no handler for a message.</summary>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
