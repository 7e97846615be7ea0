using System.Collections.Concurrent;
using Replication.Actors;

namespace Replication.Tests.Actors;

public sealed class MessagingTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("messaging");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate().WaitAsync(TestProbe.Patience);

    private sealed record Numbered(int Producer, int Number);

    private sealed class OrderChecker : ReceiveActor
    {
        private readonly Dictionary<int, int> _last = [];
        private int _received;

        public OrderChecker(int expected, TaskCompletionSource<int> done)
        {
            var violations = 0;
            Receive<Numbered>(m =>
            {
                if (_last.TryGetValue(m.Producer, out var previous) && m.Number != previous + 1)
                {
                    violations++;
                }

                _last[m.Producer] = m.Number;
                if (++_received == expected)
                {
                    done.TrySetResult(violations);
                }
            });
        }
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_the_order_sent()
    {
        const int producers = 4;
        const int perProducer = 25_000;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var checker = _system.ActorOf(Props.Create(() => new OrderChecker(producers * perProducer, done)), "checker");

        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var n = 0; n < perProducer; n++)
            {
                checker.Tell(new Numbered(p, n));
            }
        })));

        Assert.Equal(0, await done.Task.WaitAsync(TestProbe.Patience));
    }

    private sealed class Occupancy
    {
        public int Inside;
        public int Violations;
        public int Processed;
    }

    private sealed class OneAtATime : ReceiveActor
    {
        public OneAtATime(Occupancy occupancy, int expected, TaskCompletionSource done)
        {
            void Enter()
            {
                if (Interlocked.Increment(ref occupancy.Inside) != 1)
                {
                    Interlocked.Increment(ref occupancy.Violations);
                }
            }

            void Leave()
            {
                Interlocked.Decrement(ref occupancy.Inside);
                if (Interlocked.Increment(ref occupancy.Processed) == expected)
                {
                    done.TrySetResult();
                }
            }

            ReceiveAsync<int>(async n =>
            {
                Enter();
                await Task.Yield();
                if (n % 10 == 0)
                {
                    await Task.Delay(1);
                }

                Leave();
            });
            Receive<string>(_ =>
            {
                Enter();
                Leave();
            });
        }
    }

    [Fact]
    public async Task An_actor_processes_one_message_at_a_time_even_across_async_handlers()
    {
        const int perSender = 500;
        var occupancy = new Occupancy();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = _system.ActorOf(Props.Create(() => new OneAtATime(occupancy, perSender * 4, done)));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                if (s % 2 == 0)
                {
                    actor.Tell(i);
                }
                else
                {
                    actor.Tell("sync");
                }
            }
        })));

        await done.Task.WaitAsync(TestProbe.Patience);
        Assert.Equal(0, occupancy.Violations);
        Assert.Equal(perSender * 4, occupancy.Processed);
    }

    private sealed class Counting : ReceiveActor
    {
        private int _count;

        public Counting(int expected, CountdownEvent remaining, TaskCompletionSource allDone)
        {
            Receive<int>(_ =>
            {
                if (++_count == expected && remaining.Signal())
                {
                    allDone.TrySetResult();
                }
            });
            Receive<string>(_ => Sender!.Tell(_count, Self));
        }
    }

    [Fact]
    public async Task A_million_messages_across_a_thousand_actors_are_all_delivered_exactly_once()
    {
        const int actors = 1_000;
        const int perActor = 1_000;
        using var remaining = new CountdownEvent(actors);
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refs = Enumerable.Range(0, actors)
            .Select(i => _system.ActorOf(Props.Create(() => new Counting(perActor, remaining, allDone)), $"counter-{i}"))
            .ToArray();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(part => Task.Run(() =>
        {
            for (var round = part; round < perActor; round += 4)
            {
                foreach (var actor in refs)
                {
                    actor.Tell(round);
                }
            }
        })));

        await allDone.Task.WaitAsync(TestProbe.Patience);
        var counts = await Task.WhenAll(refs.Select(r => r.Ask<int>("count", TestProbe.Patience)));
        Assert.All(counts, c => Assert.Equal(perActor, c));
        Assert.Equal(0, _system.DeadLetterCount);
    }

    private sealed class Replier : ReceiveActor
    {
        public Replier()
        {
            Receive<int>(n => Sender!.Tell(n * 2, Self));
            Receive<string>(s => s == "fail", _ => Sender!.Tell(new Status.Failure(new InvalidOperationException("refused")), Self));
            Receive<string>(s => s == "silence", _ => { });
            Receive<string>(s => s == "pipe", _ => Task.Run(async () =>
            {
                await Task.Yield();
                return 42;
            }).PipeTo(Sender!, Self, success: n => $"piped {n}"));
            Receive<string>(s => s == "pipe-fail", _ => Task.FromException<int>(new TimeoutException("source slow")).PipeTo(Sender!, Self));
        }
    }

    [Fact]
    public async Task Ask_returns_the_reply_throws_a_failure_reply_and_times_out_without_one()
    {
        var replier = _system.ActorOf(Props.Create<Replier>(), "replier");

        Assert.Equal(42, await replier.Ask<int>(21, TestProbe.Patience));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => replier.Ask<int>("fail", TestProbe.Patience));
        Assert.Equal("refused", refused.Message);
        var timeout = await Assert.ThrowsAsync<AskTimeoutException>(() => replier.Ask<int>("silence", TimeSpan.FromMilliseconds(100)));
        Assert.Contains("replier", timeout.Message);

        using var cancel = new CancellationTokenSource();
        var pending = replier.Ask<int>("silence", TestProbe.Patience, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        await Assert.ThrowsAsync<InvalidCastException>(() => replier.Ask<string>(1, TestProbe.Patience));
    }

    [Fact]
    public async Task PipeTo_sends_the_task_result_or_its_failure_as_a_message()
    {
        var replier = _system.ActorOf(Props.Create<Replier>());

        Assert.Equal("piped 42", await replier.Ask<string>("pipe", TestProbe.Patience));
        var failure = await Assert.ThrowsAsync<TimeoutException>(() => replier.Ask<object>("pipe-fail", TestProbe.Patience));
        Assert.Equal("source slow", failure.Message);
    }

    private sealed class Switching : ReceiveActor
    {
        public Switching()
        {
            Normal();
        }

        private void Normal()
        {
            Receive<string>(s => s == "angry", _ => BecomeStacked(Angry));
            Receive<string>(s => s == "calm", _ => Become(Calm));
            Receive<string>(_ => Sender!.Tell("normal", Self));
        }

        private void Angry()
        {
            Receive<string>(s => s == "unbecome", _ => UnbecomeStacked());
            Receive<string>(_ => Sender!.Tell("angry", Self));
        }

        private void Calm() => Receive<string>(_ => Sender!.Tell("calm", Self));
    }

    [Fact]
    public async Task Become_replaces_and_BecomeStacked_pushes_a_behaviour_that_UnbecomeStacked_pops()
    {
        var actor = _system.ActorOf(Props.Create<Switching>());

        Assert.Equal("normal", await actor.Ask<string>("hi", TestProbe.Patience));
        actor.Tell("angry");
        Assert.Equal("angry", await actor.Ask<string>("hi", TestProbe.Patience));
        actor.Tell("unbecome");
        Assert.Equal("normal", await actor.Ask<string>("hi", TestProbe.Patience));
        actor.Tell("calm");
        Assert.Equal("calm", await actor.Ask<string>("angry", TestProbe.Patience));
    }

    private sealed class Gate : ReceiveActor, IWithStash
    {
        public Gate(IActorRef probe)
        {
            Receive<string>(s => s == "open", _ =>
            {
                Become(() => Receive<int>(n => probe.Tell(n, Self)));
                Stash.UnstashAll();
            });
            Receive<int>(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;
    }

    [Fact]
    public async Task Stashed_messages_come_back_in_order_before_later_ones_after_UnstashAll()
    {
        var probe = new TestProbe(_system);
        var gate = _system.ActorOf(Props.Create(() => new Gate(probe.Ref)));

        for (var i = 1; i <= 5; i++)
        {
            gate.Tell(i);
        }

        // One message instance sent twice is two messages, each stashed once.
        object seven = 7;
        gate.Tell(seven);
        gate.Tell(seven);
        gate.Tell("open");
        gate.Tell(6);

        foreach (var expected in new[] { 1, 2, 3, 4, 5, 7, 7, 6 })
        {
            Assert.Equal(expected, await probe.ExpectMsgAsync<int>());
        }
    }

    [Fact]
    public async Task PoisonPill_stops_after_earlier_messages_and_later_ones_become_counted_dead_letters()
    {
        var probe = new TestProbe(_system);
        var deadLetters = new ConcurrentQueue<DeadLetter>();
        using var subscription = _system.EventStream.Subscribe<DeadLetter>(deadLetters.Enqueue);
        var actor = _system.ActorOf(Props.Create<Replier>(), "poisoned");
        probe.Watch(actor);

        actor.Tell(1, probe.Ref);
        actor.Tell(PoisonPill.Instance);
        Assert.Equal(2, await probe.ExpectMsgAsync<int>());
        await probe.ExpectTerminatedAsync(actor);

        var before = _system.DeadLetterCount;
        actor.Tell(7, probe.Ref);
        Assert.Equal(before + 1, _system.DeadLetterCount);
        Assert.Contains(deadLetters, d => d.Message is 7 && ReferenceEquals(d.Recipient, actor));
    }

    private sealed class Parent : ReceiveActor
    {
        public Parent()
        {
            Receive<string>(name =>
            {
                try
                {
                    Context.ActorOf(Props.Create<Replier>(), name);
                    Sender!.Tell("created", Self);
                }
                catch (InvalidActorNameException ex)
                {
                    Sender!.Tell(ex.Message, Self);
                }
            });
        }
    }

    [Fact]
    public async Task Child_names_are_unique_under_one_parent()
    {
        var parent = _system.ActorOf(Props.Create<Parent>(), "parent");

        Assert.Equal("created", await parent.Ask<string>("worker", TestProbe.Patience));
        Assert.Contains("not unique", await parent.Ask<string>("worker", TestProbe.Patience));
        Assert.Contains("must not contain", await parent.Ask<string>("bad/name", TestProbe.Patience));
        Assert.Throws<InvalidActorNameException>(() => _system.ActorOf(Props.Create<Parent>(), "parent"));
        Assert.Equal("actor://messaging/user/parent", parent.Path.ToString());
    }
}
