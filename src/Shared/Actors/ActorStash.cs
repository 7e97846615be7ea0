namespace Replication.Actors;

/// <summary>The stash of one actor cell; touched only on the actor's own turn.</summary>
internal sealed class ActorStash(ActorCell cell) : IStash
{
    private readonly LinkedList<Envelope> _stashed = new();
    private long _lastStashedMessageNumber = -1;

    public int Count => _stashed.Count;

    public void Stash()
    {
        var current = cell.CurrentEnvelope
            ?? throw new InvalidOperationException($"{cell.Self.Path}: Stash() can only be called while processing a message.");
        if (_lastStashedMessageNumber == cell.CurrentMessageNumber)
        {
            throw new InvalidOperationException($"{cell.Self.Path}: the same message cannot be stashed twice.");
        }

        _lastStashedMessageNumber = cell.CurrentMessageNumber;
        _stashed.AddLast(current);
    }

    public void Unstash()
    {
        if (_stashed.First is { } first)
        {
            _stashed.RemoveFirst();
            cell.Prepend([first.Value]);
        }
    }

    public void UnstashAll()
    {
        if (_stashed.Count == 0)
        {
            return;
        }

        var all = _stashed.ToArray();
        _stashed.Clear();
        cell.Prepend(all);
    }

    public IEnumerable<Envelope> Drain()
    {
        var all = _stashed.ToArray();
        _stashed.Clear();
        return all;
    }
}
