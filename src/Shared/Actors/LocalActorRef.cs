namespace Replication.Actors;

/// <summary>The reference to one incarnation of an actor: equal only to itself, so a stopped actor's ref never reaches a new actor of the same name.</summary>
internal sealed class LocalActorRef(ActorCell cell, ActorPath path) : IActorRef
{
    public ActorPath Path { get; } = path;

    internal ActorCell Cell { get; } = cell;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Cell.Mailbox.PostUser(new Envelope(message, sender)))
        {
            Cell.System.RecordDeadLetter(message, sender, this);
        }
    }

    public override string ToString() => Path.ToString();
}
