using Microsoft.Extensions.Logging;

namespace Replication.Actors;

internal sealed partial class ActorCell
{
    private volatile bool _terminating;
    private bool _terminated;

    /// <summary>Stop: no more user messages, stop the children (top-down), and finish once the last one has stopped.</summary>
    private void BeginTermination()
    {
        ChildRecord[] children;
        lock (_childrenLock)
        {
            if (_terminating)
            {
                return;
            }

            _terminating = true;
            children = _children is null ? [] : [.. _children.Values];
        }

        _timers?.CancelAll();
        CancelScheduledRecreate();
        foreach (var child in children)
        {
            StopChild(child);
        }

        if (children.Length == 0)
        {
            FinishTermination();
        }
    }

    /// <summary>All children have stopped: PostStop, close the mailbox, hand what is left to dead letters, tell the watchers.</summary>
    private void FinishTermination()
    {
        if (_terminated)
        {
            return;
        }

        if (_actor is { } actor)
        {
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PostStop of {ActorPath} threw", Self.Path);
            }
        }

        _terminated = true;
        _actor = null;
        _timers?.CancelAll();
        CancelScheduledRecreate();
        _mailbox.Close();
        DrainAfterClose();
        NotifyDeath();
        System.EventStream.Unsubscribe(Self);
        System.CellStopped();
        if (_parent is null)
        {
            System.GuardianTerminated();
        }
    }

    private void DrainAfterClose()
    {
        while (_mailbox.TryReadSystem(out var message))
        {
            // A Watch that got in before the mailbox closed is answered like one that came after.
            if (message is Watch watch)
            {
                watch.Watcher.Mailbox.PostSystem(new DeathWatchNotification(Self));
            }
        }

        if (_stash is not null)
        {
            foreach (var envelope in _stash.Drain())
            {
                ToDeadLetters(envelope);
            }
        }

        while (TryDequeueUser(out var envelope, out _))
        {
            ToDeadLetters(envelope);
        }
    }

    private void ToDeadLetters(Envelope envelope)
    {
        if (envelope.Message is not (TimerFired or QueuedTerminated))
        {
            System.RecordDeadLetter(envelope.Message, envelope.Sender, Self);
        }
    }
}
