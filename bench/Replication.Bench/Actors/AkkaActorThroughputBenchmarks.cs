using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Replication.Bench.Actors;

/// <summary>
/// Message throughput of Akka.NET, the actor runtime the product runs on (default dispatcher, local actor system): a
/// ping-pong where each message waits for the previous one, and one sender fanning out to 1,000 actors.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(MessagesPerSecondConfig))]
public class AkkaActorThroughputBenchmarks
{
    private const int PingPongRoundTrips = 100_000;
    private const int FanOutActors = 1_000;
    private const int FanOutPerActor = 1_000;

    private ActorSystem _system = null!;
    private IActorRef _pinger = null!;
    private IActorRef[] _fanOut = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", "akka.loglevel = WARNING");
        var ponger = _system.ActorOf(Props.Create<Ponger>(), "ponger");
        _pinger = _system.ActorOf(Props.Create(() => new Pinger(ponger)), "pinger");
        _fanOut = Enumerable.Range(0, FanOutActors)
            .Select(i => _system.ActorOf(Props.Create(() => new Counter(FanOutPerActor)), $"counter-{i}"))
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = 2 * PingPongRoundTrips)]
    public Task PingPong()
    {
        var round = new Round(1);
        _pinger.Tell(new StartPingPong(PingPongRoundTrips, round));
        return round.Done;
    }

    [Benchmark(OperationsPerInvoke = FanOutActors * FanOutPerActor)]
    public Task FanOutTo1000Actors()
    {
        var round = new Round(FanOutActors);
        foreach (var actor in _fanOut)
        {
            actor.Tell(round);
        }

        for (var i = 0; i < FanOutPerActor; i++)
        {
            foreach (var actor in _fanOut)
            {
                actor.Tell(Tick.Instance);
            }
        }

        return round.Done;
    }

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => Receive<Ping>(_ => Sender.Tell(Pong.Instance, Self));
    }

    private sealed class Pinger : ReceiveActor
    {
        private int _left;
        private Round? _round;

        public Pinger(IActorRef ponger)
        {
            Receive<StartPingPong>(start =>
            {
                _left = start.RoundTrips;
                _round = start.Round;
                ponger.Tell(Ping.Instance, Self);
            });
            Receive<Pong>(_ =>
            {
                if (--_left == 0)
                {
                    _round!.Finished();
                }
                else
                {
                    ponger.Tell(Ping.Instance, Self);
                }
            });
        }
    }

    private sealed class Counter : ReceiveActor
    {
        private int _count;
        private Round? _round;

        public Counter(int perRound)
        {
            Receive<Round>(round =>
            {
                _round = round;
                _count = 0;
            });
            Receive<Tick>(_ =>
            {
                if (++_count == perRound)
                {
                    _round!.Finished();
                }
            });
        }
    }
}
