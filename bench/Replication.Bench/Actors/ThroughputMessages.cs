namespace Replication.Bench.Actors;

// The messages of the actor throughput benchmark: a ping-pong round, and the counters of the fan-out.

/// <summary>Completes once every participant of one benchmark operation has seen all its messages.</summary>
internal sealed class Round(int participants)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining = participants;

    public Task Done => _done.Task;

    public void Finished()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }
    }
}

internal sealed record StartPingPong(int RoundTrips, Round Round);

internal sealed class Tick
{
    public static readonly Tick Instance = new();
}

internal sealed class Ping
{
    public static readonly Ping Instance = new();
}

internal sealed class Pong
{
    public static readonly Pong Instance = new();
}
