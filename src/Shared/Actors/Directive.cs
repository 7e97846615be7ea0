namespace Replication.Actors;

/// <summary>What a supervisor does with a child that failed.</summary>
public enum Directive
{
    /// <summary>Keep the actor and its state; drop the message that failed.</summary>
    Resume,

    /// <summary>Replace the actor instance with a fresh one (after back-off), keeping its mailbox.</summary>
    Restart,

    /// <summary>Stop the actor.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception.</summary>
    Escalate,
}
