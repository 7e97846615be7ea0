using Microsoft.Extensions.Logging;

namespace Replication.Actors;

/// <summary>
/// The kernel's side of one actor: its mailbox, current instance, children, watches, timers and failure state.
/// Everything here except posting to the mailbox runs on the actor's own turn, one turn at a time, so the cell's
/// state needs no locks (the children table is the exception: the system creates top-level actors from outside).
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    private readonly ActorCell? _parent;
    private readonly Mailbox _mailbox;
    private ActorBase? _actor;
    private Envelope _current;
    private bool _hasCurrent;
    private Queue<Envelope>? _prepended;
    private ActorStash? _stash;
    private TimerScheduler? _timers;
    private ILogger? _log;

    public ActorCell(ActorSystem system, ActorCell? parent, Props props, ActorPath path)
    {
        System = system;
        _parent = parent;
        Props = props;
        Self = new LocalActorRef(this, path);
        _mailbox = new Mailbox(this);
    }

    public ActorSystem System { get; }

    public Props Props { get; }

    public LocalActorRef Self { get; }

    IActorRef IActorContext.Self => Self;

    public IActorRef? Sender => _hasCurrent ? _current.Sender : null;

    public IActorRef Parent => _parent?.Self ?? ActorRefs.Nobody;

    public ILogger Log => _log ??= new ActorLogger(System.LoggerFactory.CreateLogger(Props.ActorType.FullName ?? Props.ActorType.Name), Self.Path);

    internal ActorCell? ParentCell => _parent;

    internal Mailbox Mailbox => _mailbox;

    internal Envelope? CurrentEnvelope => _hasCurrent ? _current : null;

    /// <summary>Counts processed user messages; tells the stash whether the current message was already stashed.</summary>
    internal long CurrentMessageNumber { get; private set; }

    private bool CanProcessUserMessages => !_failed && _suspendCount == 0 && !_terminating && _actor is not null;

    internal void Start()
    {
        System.CellStarted();
        _mailbox.PostSystem(Create.Instance);
    }

    /// <summary>Reads racily from outside the turn; a wrong answer only costs one empty turn, never a lost message.</summary>
    internal bool HasWork() =>
        !_terminated
        && (_mailbox.HasSystemMessages
            || (CanProcessUserMessages && (_prepended is { Count: > 0 } || _mailbox.HasUserMessages)));

    /// <summary>
    /// One turn: system messages first (before every user message), then up to the throughput of user messages.
    /// Returns true when an async handler is still running; its continuation ends the turn.
    /// </summary>
    internal bool RunTurn()
    {
        var budget = System.Settings.Throughput;
        try
        {
            while (true)
            {
                if (_mailbox.TryReadSystem(out var systemMessage))
                {
                    InvokeSystem(systemMessage);
                    continue;
                }

                if (_terminated || !CanProcessUserMessages || budget-- <= 0 || !TryDequeueUser(out var envelope, out var unstashed))
                {
                    return false;
                }

                if (InvokeUser(envelope, unstashed) is { } pending)
                {
                    _ = ContinueAfter(pending);
                    return true;
                }
            }
        }
        catch (Exception ex)
        {
            Log.LogCritical(ex, "Actor kernel fault while processing the mailbox of {ActorPath}", Self.Path);
            return false;
        }
    }

    private bool TryDequeueUser(out Envelope envelope, out bool unstashed)
    {
        unstashed = _prepended is { Count: > 0 };
        if (unstashed)
        {
            envelope = _prepended!.Dequeue();
            return true;
        }

        return _mailbox.TryReadUser(out envelope);
    }

    /// <param name="unstashed">An unstashed envelope already passed the timer and Terminated checks when it was first dequeued.</param>
    private Task? InvokeUser(Envelope envelope, bool unstashed)
    {
        if (!unstashed && !Admit(ref envelope))
        {
            return null;
        }

        var message = envelope.Message;
        _current = envelope;
        _hasCurrent = true;
        CurrentMessageNumber++;
        var completed = true;
        try
        {
            if (message is PoisonPill)
            {
                _mailbox.PostSystem(Terminate.Instance);
                return null;
            }

            if (message is Kill)
            {
                throw new ActorKilledException($"Kill message received by {Self.Path}");
            }

            var pending = _actor!.Dispatch(message);
            if (pending is null || pending.IsCompletedSuccessfully)
            {
                return null;
            }

            if (pending.IsCompleted)
            {
                pending.GetAwaiter().GetResult();
            }

            completed = false;
            return pending;
        }
        catch (Exception ex)
        {
            ClearCurrent();
            completed = true;
            HandleInvokeFailure(ex, message);
            return null;
        }
        finally
        {
            if (completed)
            {
                ClearCurrent();
            }
        }
    }

    /// <summary>Swaps a fired timer for its message; unwraps death-watch Terminated messages unless Unwatch withdrew them.</summary>
    private bool Admit(ref Envelope envelope)
    {
        switch (envelope.Message)
        {
            case TimerFired fired:
                if (_timers?.Accept(fired) is not { } timerMessage)
                {
                    return false;
                }

                envelope = new Envelope(timerMessage, null);
                return true;
            case QueuedTerminated queued:
                if (!AcceptTerminated(queued))
                {
                    return false;
                }

                envelope = new Envelope(queued.Terminated, envelope.Sender);
                return true;
            default:
                return true;
        }
    }

    private async Task ContinueAfter(Task pending)
    {
        var message = _current.Message;
        try
        {
            await pending.ConfigureAwait(false);
            ClearCurrent();
        }
        catch (Exception ex)
        {
            ClearCurrent();
            try
            {
                HandleInvokeFailure(ex, message);
            }
            catch (Exception kernelFault)
            {
                Log.LogCritical(kernelFault, "Actor kernel fault while handling a failure of {ActorPath}", Self.Path);
            }
        }

        _mailbox.EndTurn();
    }

    private void ClearCurrent()
    {
        _hasCurrent = false;
        _current = default;
    }

    private void InvokeSystem(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case Create:
                    CreateActor();
                    break;
                case Terminate:
                    BeginTermination();
                    break;
                case Recreate recreate:
                    FaultRecreate(recreate.Cause);
                    break;
                case Suspend:
                    _suspendCount++;
                    PostToChildren(Suspend.Instance);
                    break;
                case Resume:
                    if (_suspendCount > 0)
                    {
                        _suspendCount--;
                    }

                    PostToChildren(Resume.Instance);
                    break;
                case ResumeAfterFailure:
                    FaultResume();
                    break;
                case Failed failed:
                    HandleChildFailure(failed);
                    break;
                case Watch watch:
                    AddWatcher(watch.Watcher);
                    break;
                case Unwatch unwatch:
                    RemoveWatcher(unwatch.Watcher);
                    break;
                case DeathWatchNotification notification:
                    WatchedActorTerminated(notification.Actor);
                    break;
            }
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Actor {ActorPath} failed to process system message {SystemMessage}", Self.Path, message.GetType().Name);
        }
    }

    private void CreateActor()
    {
        try
        {
            _actor = NewActorInstance();
            _actor.InvokePreStart();
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex is ActorInitializationException ? ex : new ActorInitializationException(Self, ex), null);
        }
    }

    private ActorBase NewActorInstance()
    {
        var actor = ActorBase.Construct(this, Props);
        if (actor is IWithStash withStash)
        {
            withStash.Stash = _stash ??= new ActorStash(this);
        }

        if (actor is IWithTimers withTimers)
        {
            withTimers.Timers = _timers ??= new TimerScheduler(this);
        }

        return actor;
    }

    /// <summary>Puts envelopes back at the front of the user queue, in order (unstash).</summary>
    internal void Prepend(IReadOnlyCollection<Envelope> envelopes)
    {
        var queue = new Queue<Envelope>(envelopes.Count + (_prepended?.Count ?? 0));
        foreach (var envelope in envelopes)
        {
            queue.Enqueue(envelope);
        }

        if (_prepended is not null)
        {
            foreach (var envelope in _prepended)
            {
                queue.Enqueue(envelope);
            }
        }

        _prepended = queue;
    }

    internal void PostTimer(TimerFired fired) => _mailbox.PostUser(new Envelope(fired, null));

    public override string ToString() => Self.Path.ToString();
}
