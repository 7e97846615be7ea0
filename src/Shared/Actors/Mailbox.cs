using System.Threading.Channels;

namespace Replication.Actors;

/// <summary>
/// The two queues of one actor (system and user) and its scheduling state. At most one turn runs at a time: a post
/// schedules a turn on the thread pool only when none is scheduled, so an idle actor costs no thread and no task.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private static readonly UnboundedChannelOptions QueueOptions = new() { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false };

    private readonly Channel<SystemMessage> _system = Channel.CreateUnbounded<SystemMessage>(QueueOptions);
    private readonly Channel<Envelope> _user = Channel.CreateUnbounded<Envelope>(QueueOptions);
    private readonly ActorCell _cell;
    private int _scheduled;

    public Mailbox(ActorCell cell) => _cell = cell;

    public bool PostSystem(SystemMessage message)
    {
        if (!_system.Writer.TryWrite(message))
        {
            return false;
        }

        Schedule();
        return true;
    }

    public bool PostUser(in Envelope envelope)
    {
        if (!_user.Writer.TryWrite(envelope))
        {
            return false;
        }

        Schedule();
        return true;
    }

    public bool TryReadSystem(out SystemMessage message) => _system.Reader.TryRead(out message!);

    public bool TryReadUser(out Envelope envelope) => _user.Reader.TryRead(out envelope);

    public bool HasSystemMessages => _system.Reader.TryPeek(out _);

    public bool HasUserMessages => _user.Reader.TryPeek(out _);

    /// <summary>Refuses further posts; what is already queued stays readable so the cell can drain it to dead letters.</summary>
    public void Close()
    {
        _system.Writer.TryComplete();
        _user.Writer.TryComplete();
    }

    public void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            _cell.System.TurnScheduled();
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        if (!_cell.RunTurn())
        {
            EndTurn();
        }
    }

    /// <summary>Ends a turn (also one that continued after an async handler) and schedules another if work arrived meanwhile.</summary>
    public void EndTurn()
    {
        // A full fence: a post that raced with this turn's end either sees 0 here or its message is seen by HasWork.
        Interlocked.Exchange(ref _scheduled, 0);
        _cell.System.TurnEnded();
        if (_cell.HasWork())
        {
            Schedule();
        }
    }
}
