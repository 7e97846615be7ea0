namespace Replication.Actors;

/// <summary>Where undeliverable messages go: counted, logged up to a limit, and published on the event stream.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system, ActorPath path) : IActorRef
{
    public ActorPath Path { get; } = path;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is DeadLetter deadLetter)
        {
            system.RecordDeadLetter(deadLetter.Message, deadLetter.Sender, deadLetter.Recipient);
        }
        else
        {
            system.RecordDeadLetter(message, sender, this);
        }
    }

    public override string ToString() => Path.ToString();
}
