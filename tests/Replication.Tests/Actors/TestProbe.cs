using System.Threading.Channels;
using Replication.Actors;

namespace Replication.Tests.Actors;

/// <summary>A real actor that hands every message it receives to the test, which awaits them with a generous timeout.</summary>
internal sealed class TestProbe
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

    public TestProbe(ActorSystem system, string? name = null)
    {
        var writer = _received.Writer;
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(writer)), name);
    }

    public IActorRef Ref { get; }

    public void Watch(IActorRef target) => Ref.Tell(new WatchTarget(target));

    public async Task<T> ExpectMsgAsync<T>()
    {
        var received = await _received.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        return Assert.IsAssignableFrom<T>(received.Message);
    }

    public async Task<Received> ExpectEnvelopeAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>Skips messages until one of type <typeparamref name="T"/> matches.</summary>
    public async Task<T> FishForAsync<T>(Func<T, bool>? match = null)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var received = await _received.Reader.ReadAsync(deadline.Token);
            if (received.Message is T typed && (match is null || match(typed)))
            {
                return typed;
            }
        }
    }

    public Task<Terminated> ExpectTerminatedAsync(IActorRef target) => FishForAsync<Terminated>(t => ReferenceEquals(t.ActorRef, target));

    public bool TryTake(out object? message)
    {
        var taken = _received.Reader.TryRead(out var received);
        message = received.Message;
        return taken;
    }

    public readonly record struct Received(object Message, IActorRef? Sender);

    private sealed record WatchTarget(IActorRef Target);

    private sealed class ProbeActor : ReceiveActor
    {
        public ProbeActor(ChannelWriter<Received> writer)
        {
            Receive<WatchTarget>(w => Context.Watch(w.Target));
            ReceiveAny(m => writer.TryWrite(new Received(m, Sender)));
        }
    }
}

/// <summary>Polls a condition that another thread makes true; fails with <paramref name="what"/> if it never does.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestProbe.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
