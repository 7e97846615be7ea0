namespace Replication.Actors;

/// <summary>Messages of the kernel itself; they travel in the system queue, which is always drained before user messages.</summary>
internal abstract record SystemMessage;

internal sealed record Create : SystemMessage
{
    public static readonly Create Instance = new();
}

internal sealed record Terminate : SystemMessage
{
    public static readonly Terminate Instance = new();
}

/// <summary>Replace the actor instance (the restart directive, sent after the back-off delay).</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>Suspend user-message processing because an ancestor failed.</summary>
internal sealed record Suspend : SystemMessage
{
    public static readonly Suspend Instance = new();
}

/// <summary>Undo one <see cref="Suspend"/>.</summary>
internal sealed record Resume : SystemMessage
{
    public static readonly Resume Instance = new();
}

/// <summary>The supervisor's Resume directive: carry on after the failure, keeping state.</summary>
internal sealed record ResumeAfterFailure : SystemMessage
{
    public static readonly ResumeAfterFailure Instance = new();
}

internal sealed record Failed(ActorCell Child, Exception Cause) : SystemMessage;

internal sealed record Watch(ActorCell Watcher) : SystemMessage;

internal sealed record Unwatch(ActorCell Watcher) : SystemMessage;

/// <summary>The watched actor (or a child) has stopped.</summary>
internal sealed record DeathWatchNotification(IActorRef Actor) : SystemMessage;
