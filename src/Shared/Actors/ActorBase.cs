using Microsoft.Extensions.Logging;

namespace Replication.Actors;

/// <summary>
/// Base of every actor. Instances are created only through <see cref="Props"/> by the kernel, which is how the
/// constructor already has its <see cref="Context"/> (so children can be created in constructors, as in Akka).
/// </summary>
public abstract class ActorBase
{
    [ThreadStatic]
    private static ActorCell? t_constructingCell;

    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = t_constructingCell
            ?? throw new InvalidOperationException($"Actor {GetType().Name} can only be created through ActorOf(Props), not with 'new'.");
    }

    protected IActorContext Context => _cell;

    protected IActorRef Self => _cell.Self;

    protected IActorRef? Sender => _cell.Sender;

    internal ActorCell Cell => _cell;

    /// <summary>Called once the actor is created (and, through the default PostRestart, after each restart).</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Called after the actor stopped, after all its children have stopped.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before it is replaced. By default stops all children and calls PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart. By default calls PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Strategy for this actor's children; defaults to the Props' strategy, then the system's.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() =>
        Context.Props.SupervisorStrategy ?? Context.System.DefaultSupervisorStrategy;

    /// <summary>An unhandled <see cref="Terminated"/> is a death pact; anything else is published as <see cref="UnhandledMessage"/>.</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        Context.System.EventStream.Publish(new UnhandledMessage(message, Sender, Self));
        if (Context.Log.IsEnabled(LogLevel.Debug))
        {
            Context.Log.LogDebug("Unhandled message {MessageType} from {Sender}", message.GetType().Name, Sender?.Path.ToString() ?? "no sender");
        }
    }

    /// <summary>Processes one message: null when it completed synchronously, otherwise the task the mailbox waits for.</summary>
    internal abstract Task? Dispatch(object message);

    internal void InvokeUnhandled(object message) => Unhandled(message);

    // The kernel calls the hooks through these, so the hooks can stay 'protected' for every deriving assembly.
    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();

    /// <summary>Called by the kernel when construction returned; after this, a ReceiveActor accepts no more handlers outside Become.</summary>
    internal virtual void OnConstructed()
    {
    }

    internal static ActorBase Construct(ActorCell cell, Props props)
    {
        var previous = t_constructingCell;
        t_constructingCell = cell;
        ActorBase actor;
        try
        {
            actor = props.NewActor();
        }
        finally
        {
            t_constructingCell = previous;
        }

        if (actor is null || !ReferenceEquals(actor._cell, cell))
        {
            throw new InvalidOperationException($"The Props factory for {cell.Self.Path} must return a new {props.ActorType.Name} on every call.");
        }

        actor.OnConstructed();
        return actor;
    }
}
