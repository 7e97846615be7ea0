namespace Replication.Actors;

/// <summary>A user message with its sender, as queued in a mailbox; a struct so that queuing does not allocate.</summary>
public readonly record struct Envelope(object Message, IActorRef? Sender);
