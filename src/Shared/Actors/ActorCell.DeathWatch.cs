namespace Replication.Actors;

internal sealed partial class ActorCell
{
    private HashSet<ActorCell>? _watchedBy;
    private HashSet<IActorRef>? _watching;

    // Terminated messages queued but not yet processed: an Unwatch in between withdraws them, as in Akka.
    private HashSet<IActorRef>? _terminatedQueued;

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is LocalActorRef self && ReferenceEquals(self.Cell, this))
        {
            return subject;
        }

        if (!(_watching ??= []).Add(subject))
        {
            return subject;
        }

        // A subject that has already stopped refuses the Watch (its mailbox is closed): answer it ourselves.
        if (subject is not LocalActorRef local || !local.Cell.Mailbox.PostSystem(new Watch(this)))
        {
            _mailbox.PostSystem(new DeathWatchNotification(subject));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (_watching?.Remove(subject) == true && subject is LocalActorRef local)
        {
            local.Cell.Mailbox.PostSystem(new Unwatch(this));
        }

        _terminatedQueued?.Remove(subject);
        return subject;
    }

    private void AddWatcher(ActorCell watcher)
    {
        if (!ReferenceEquals(watcher, this))
        {
            (_watchedBy ??= []).Add(watcher);
        }
    }

    private void RemoveWatcher(ActorCell watcher) => _watchedBy?.Remove(watcher);

    private void WatchedActorTerminated(IActorRef actor)
    {
        if (actor is LocalActorRef local && ReferenceEquals(local.Cell.ParentCell, this))
        {
            ChildTerminated(local.Cell);
        }

        if (_watching?.Remove(actor) == true && !_terminating)
        {
            (_terminatedQueued ??= []).Add(actor);
            _mailbox.PostUser(new Envelope(new QueuedTerminated(new Terminated(actor)), actor));
        }
    }

    private bool AcceptTerminated(QueuedTerminated queued) => _terminatedQueued?.Remove(queued.Terminated.ActorRef) == true;

    /// <summary>Tells watchers and the parent (once, even if it also watches) that this actor has stopped, and drops our own watches.</summary>
    private void NotifyDeath()
    {
        var notification = new DeathWatchNotification(Self);
        var parentNotified = false;
        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy)
            {
                watcher.Mailbox.PostSystem(notification);
                parentNotified |= ReferenceEquals(watcher, _parent);
            }

            _watchedBy = null;
        }

        if (!parentNotified)
        {
            _parent?.Mailbox.PostSystem(notification);
        }

        if (_watching is not null)
        {
            foreach (var subject in _watching)
            {
                if (subject is LocalActorRef local)
                {
                    local.Cell.Mailbox.PostSystem(new Unwatch(this));
                }
            }

            _watching = null;
        }

        _terminatedQueued = null;
    }
}

/// <summary>
/// A Terminated queued by death watch, told apart from a Terminated another actor forwarded (which is delivered as
/// is), so that an Unwatch can withdraw it while it waits in the mailbox.
/// </summary>
internal sealed record QueuedTerminated(Terminated Terminated);
