namespace Replication.Actors;

/// <summary>Implement on an actor to get a <see cref="IStash"/>; the kernel sets the property right after construction, before PreStart.</summary>
public interface IWithStash
{
    IStash Stash { get; set; }
}

/// <summary>Puts messages aside to process later; stashed messages go back to the front of the mailbox, in order, on unstash and on restart.</summary>
public interface IStash
{
    /// <summary>Stashes the message being processed.</summary>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns all stashed messages to the front of the mailbox, in the order they were stashed.</summary>
    void UnstashAll();

    int Count { get; }
}
