namespace Replication.Actors;

internal sealed partial class ActorCell
{
    // Guards _children and the _terminating flag together, so a child is either created before the
    // stop snapshot (and stopped with its siblings) or refused.
    private readonly object _childrenLock = new();
    private Dictionary<string, ChildRecord>? _children;
    private long _nextChildNumber;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_childrenLock)
            {
                return _children is null ? [] : _children.Values.Select(c => (IActorRef)c.Cell.Self).ToArray();
            }
        }
    }

    public IActorRef? Child(string name)
    {
        lock (_childrenLock)
        {
            return _children is not null && _children.TryGetValue(name, out var record) ? record.Cell.Self : null;
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        name = name is null ? NextChildName() : ValidateChildName(name);
        ActorCell child;
        lock (_childrenLock)
        {
            if (_terminating)
            {
                throw new InvalidOperationException($"Cannot create child [{name}]: {Self.Path} is stopping.");
            }

            _children ??= new Dictionary<string, ChildRecord>(StringComparer.Ordinal);
            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Self.Path}.");
            }

            child = new ActorCell(System, this, props, Self.Path / name);
            _children.Add(name, new ChildRecord(child));
        }

        child.Start();
        return child.Self;
    }

    public void Stop(IActorRef actor)
    {
        if (actor is not LocalActorRef local)
        {
            return;
        }

        if (ReferenceEquals(local.Cell, this))
        {
            _mailbox.PostSystem(Terminate.Instance);
            return;
        }

        if (ReferenceEquals(local.Cell.ParentCell, this))
        {
            MarkChildStopping(local.Cell);
        }

        local.Cell.Mailbox.PostSystem(Terminate.Instance);
    }

    private string NextChildName()
    {
        var number = (ulong)Interlocked.Increment(ref _nextChildNumber);
        const string digits = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> buffer = stackalloc char[16];
        var position = buffer.Length;
        do
        {
            buffer[--position] = digits[(int)(number % 36)];
            number /= 36;
        }
        while (number > 0);

        buffer[--position] = '$';
        return new string(buffer[position..]);
    }

    private static string ValidateChildName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidActorNameException("An actor name must not be empty.");
        }

        if (name.StartsWith('$'))
        {
            throw new InvalidActorNameException($"Actor name [{name}] must not start with '$' (reserved for generated names).");
        }

        if (name.Contains('/') || name.Any(char.IsWhiteSpace))
        {
            throw new InvalidActorNameException($"Actor name [{name}] must not contain '/' or whitespace.");
        }

        return name;
    }

    private void MarkChildStopping(ActorCell child)
    {
        lock (_childrenLock)
        {
            if (_children is not null && _children.TryGetValue(child.Self.Path.Name, out var record) && ReferenceEquals(record.Cell, child))
            {
                record.Stopping = true;
            }
        }
    }

    private void StopChild(ChildRecord record)
    {
        lock (_childrenLock)
        {
            record.Stopping = true;
        }

        record.Cell.Mailbox.PostSystem(Terminate.Instance);
    }

    private ChildRecord? FindChild(ActorCell child)
    {
        lock (_childrenLock)
        {
            return _children is not null && _children.TryGetValue(child.Self.Path.Name, out var record) && ReferenceEquals(record.Cell, child)
                ? record
                : null;
        }
    }

    private ChildRecord[] ChildRecords()
    {
        lock (_childrenLock)
        {
            return _children is null ? [] : [.. _children.Values];
        }
    }

    private bool AnyChildStopping()
    {
        lock (_childrenLock)
        {
            return _children is not null && _children.Values.Any(c => c.Stopping);
        }
    }

    private void PostToChildren(SystemMessage message)
    {
        foreach (var record in ChildRecords())
        {
            record.Cell.Mailbox.PostSystem(message);
        }
    }

    /// <summary>A child has stopped: free its name, then finish our own stop or restart if that was waiting for it.</summary>
    private void ChildTerminated(ActorCell child)
    {
        int remaining;
        bool anyStopping;
        lock (_childrenLock)
        {
            if (_children is not null && _children.TryGetValue(child.Self.Path.Name, out var record) && ReferenceEquals(record.Cell, child))
            {
                _children.Remove(child.Self.Path.Name);
            }

            remaining = _children?.Count ?? 0;
            anyStopping = _children is not null && _children.Values.Any(c => c.Stopping);
        }

        if (_escalatedFrom == child)
        {
            _escalatedFrom = null;
        }

        if (_terminating)
        {
            if (remaining == 0)
            {
                FinishTermination();
            }
        }
        else if (_awaitingRecreate is { } cause && !anyStopping)
        {
            FinishRecreate(cause);
        }
    }

    private sealed class ChildRecord(ActorCell cell)
    {
        public ActorCell Cell { get; } = cell;

        public bool Stopping { get; set; }

        public ChildRestartStats RestartStats { get; } = new();
    }
}
