namespace Replication.Actors;

/// <summary>
/// An actor whose behaviour is a list of typed handlers, tried in registration order. Handlers are registered
/// in the constructor or inside <see cref="Become"/>/<see cref="BecomeStacked"/>. An async handler keeps the
/// actor busy until its task completes: no other message is processed in between.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly Stack<MessageHandlers> _behaviours = new();
    private MessageHandlers? _configuring;

    protected ReceiveActor()
    {
        _configuring = new MessageHandlers();
        _behaviours.Push(_configuring);
    }

    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(new SyncHandler<T>(handler, shouldHandle));
    }

    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(new AsyncHandler<T>(handler, shouldHandle));
    }

    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler) => Receive(handler, shouldHandle);

    protected void ReceiveAsync<T>(Predicate<T> shouldHandle, Func<T, Task> handler) => ReceiveAsync(handler, shouldHandle);

    protected void ReceiveAny(Action<object> handler) => Receive(handler);

    protected void ReceiveAnyAsync(Func<object, Task> handler) => ReceiveAsync(handler);

    /// <summary>Replaces the current behaviour (and any stacked ones) with the handlers <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure)
    {
        var behaviour = Build(configure);
        _behaviours.Clear();
        _behaviours.Push(behaviour);
    }

    /// <summary>Pushes a behaviour; <see cref="UnbecomeStacked"/> returns to the previous one.</summary>
    protected void BecomeStacked(Action configure) => _behaviours.Push(Build(configure));

    protected void UnbecomeStacked()
    {
        if (_behaviours.Count > 1)
        {
            _behaviours.Pop();
        }
    }

    internal override void OnConstructed() => _configuring = null;

    internal override Task? Dispatch(object message)
    {
        var handlers = _behaviours.Peek().Items;
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i].TryHandle(message, out var pending))
            {
                return pending;
            }
        }

        InvokeUnhandled(message);
        return null;
    }

    private MessageHandlers Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var previous = _configuring;
        var behaviour = new MessageHandlers();
        _configuring = behaviour;
        try
        {
            configure();
        }
        finally
        {
            _configuring = previous;
        }

        return behaviour;
    }

    private MessageHandlers Configuring() =>
        _configuring ?? throw new InvalidOperationException(
            $"{GetType().Name}: Receive handlers can only be registered in the constructor or inside Become/BecomeStacked.");

    private sealed class MessageHandlers
    {
        public List<MessageHandler> Items { get; } = [];

        public void Add(MessageHandler handler) => Items.Add(handler);
    }

    private abstract class MessageHandler
    {
        public abstract bool TryHandle(object message, out Task? pending);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : MessageHandler
    {
        public override bool TryHandle(object message, out Task? pending)
        {
            pending = null;
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            handler(typed);
            return true;
        }
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle) : MessageHandler
    {
        public override bool TryHandle(object message, out Task? pending)
        {
            pending = null;
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            pending = handler(typed) ?? throw new InvalidOperationException($"The async handler for {typeof(T).Name} returned a null task.");
            return true;
        }
    }
}
