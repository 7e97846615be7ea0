using System.Collections.Concurrent;
using Replication.Actors;

namespace Replication.Tests.Actors;

public sealed class LifecycleTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("lifecycle");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate().WaitAsync(TestProbe.Patience);

    /// <summary>Builds a tree from a spec like "a(b(d,e),c)" and journals each PostStop.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _stopped;

        public Node(ConcurrentQueue<string> stopped, int depth, int fanOut)
        {
            _stopped = stopped;
            if (depth > 0)
            {
                for (var i = 0; i < fanOut; i++)
                {
                    Context.ActorOf(Props.Create(() => new Node(stopped, depth - 1, fanOut)), $"n{i}");
                }
            }

            Receive<string>(_ => Sender!.Tell(Context.Children.Count, Self));
        }

        protected override void PostStop() => _stopped.Enqueue(Self.Path.ToString());
    }

    private static void AssertChildrenStoppedBeforeParents(IReadOnlyList<string> stopped)
    {
        for (var i = 0; i < stopped.Count; i++)
        {
            var parent = stopped[i][..stopped[i].LastIndexOf('/')];
            var parentIndex = stopped.ToList().IndexOf(parent);
            if (parentIndex >= 0)
            {
                Assert.True(i < parentIndex, $"{stopped[i]} stopped after its parent {parent}");
            }
        }
    }

    [Fact]
    public async Task Stopping_an_actor_stops_its_subtree_with_PostStop_children_before_parents()
    {
        var stopped = new ConcurrentQueue<string>();
        var root = _system.ActorOf(Props.Create(() => new Node(stopped, 3, 3)), "root");
        var probe = new TestProbe(_system);
        probe.Watch(root);
        Assert.Equal(3, await root.Ask<int>("children", TestProbe.Patience));

        _system.Stop(root);

        await probe.ExpectTerminatedAsync(root);
        var order = stopped.ToArray();
        Assert.Equal(1 + 3 + 9 + 27, order.Length);
        Assert.Equal(root.Path.ToString(), order[^1]);
        AssertChildrenStoppedBeforeParents(order);
    }

    [Fact]
    public async Task Terminate_stops_everything_and_leaves_no_turn_timer_or_actor_running()
    {
        var system = ActorSystem.Create("terminating");
        var stopped = new ConcurrentQueue<string>();
        for (var i = 0; i < 5; i++)
        {
            system.ActorOf(Props.Create(() => new Node(stopped, 2, 4)), $"tree{i}");
        }

        for (var i = 0; i < 20; i++)
        {
            var ticker = system.ActorOf(Props.Create(() => new Ticker(null)), $"ticker{i}");
            ticker.Tell("busy");
        }

        await system.Terminate().WaitAsync(TestProbe.Patience);

        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
        Assert.Equal(5 * (1 + 4 + 16), stopped.Count);
        AssertChildrenStoppedBeforeParents(stopped.ToArray());
        Assert.Equal(0, system.LiveActors);
        Assert.Equal(0, system.ArmedTimers);
        await Eventually.TrueAsync(() => system.RunningTurns == 0, "no mailbox turn is running");
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create(() => new Ticker(null))));
    }

    [Fact]
    public async Task Watching_an_actor_that_already_stopped_delivers_Terminated()
    {
        var first = new TestProbe(_system);
        var doomed = _system.ActorOf(Props.Create(() => new Node(new ConcurrentQueue<string>(), 0, 0)), "doomed");
        first.Watch(doomed);
        doomed.Tell(PoisonPill.Instance);
        await first.ExpectTerminatedAsync(doomed);

        var late = new TestProbe(_system);
        late.Watch(doomed);

        Assert.Same(doomed, (await late.ExpectTerminatedAsync(doomed)).ActorRef);
    }

    private sealed class Blocking : ReceiveActor
    {
        public Blocking(Task gate, StrongBox<int> processed)
        {
            ReceiveAsync<int>(async _ =>
            {
                Interlocked.Increment(ref processed.Value);
                await gate;
            });
        }
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }

    [Fact]
    public async Task A_stop_is_not_stuck_behind_a_long_user_mailbox()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processed = new StrongBox<int>();
        var probe = new TestProbe(_system);
        var actor = _system.ActorOf(Props.Create(() => new Blocking(gate.Task, processed)), "blocking");
        probe.Watch(actor);
        for (var i = 0; i < 50_000; i++)
        {
            actor.Tell(i);
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref processed.Value) == 1, "the first message is being processed");
        var deadLettersBefore = _system.DeadLetterCount;
        _system.Stop(actor);
        gate.SetResult();

        await probe.ExpectTerminatedAsync(actor);
        Assert.Equal(1, Volatile.Read(ref processed.Value));
        Assert.Equal(deadLettersBefore + 49_999, _system.DeadLetterCount);
    }

    private sealed class Ticker : ReceiveActor, IWithTimers
    {
        public Ticker(IActorRef? probe)
        {
            Receive<string>(s => s == "tick", _ => probe?.Tell("tick", Self));
            Receive<string>(s => s == "busy", _ => { });
            Receive<string>(s => s == "replace", _ =>
            {
                Timers.StartSingleTimer("once", "first", TimeSpan.FromMilliseconds(1));
                Thread.Sleep(100);
                Timers.StartSingleTimer("once", "second", TimeSpan.FromMilliseconds(1));
            });
            Receive<string>(s => s is "first" or "second", s => probe?.Tell(s, Self));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("ticker failed"));
            Receive<string>(s => s == "active", _ => Sender!.Tell(Timers.IsTimerActive("tick"), Self));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("tick", "tick", TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task Timers_tick_while_the_actor_lives_and_are_cancelled_when_it_stops()
    {
        var probe = new TestProbe(_system);
        var ticker = _system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("tick", await probe.ExpectMsgAsync<string>());
        }

        Assert.True(await ticker.Ask<bool>("active", TestProbe.Patience));
        probe.Watch(ticker);
        _system.Stop(ticker);
        await probe.ExpectTerminatedAsync(ticker);

        await Eventually.TrueAsync(() => _system.ArmedTimers == 0, "the stopped actor's timers are disarmed");
    }

    [Fact]
    public async Task A_restart_cancels_the_old_instances_timers()
    {
        var probe = new TestProbe(_system);
        var ticker = _system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "restarting-ticker");
        Assert.Equal("tick", await probe.ExpectMsgAsync<string>());

        ticker.Tell("fail");
        Assert.True(await ticker.Ask<bool>("active", TestProbe.Patience));

        // The new instance armed its own timer in PreStart; the old one's was cancelled, so exactly one is armed.
        await Eventually.TrueAsync(() => _system.ArmedTimers == 1, "only the new instance's timer is armed");
        Assert.Equal("tick", await probe.FishForAsync<string>(s => s == "tick"));
    }

    [Fact]
    public async Task A_replaced_timer_never_delivers_its_message_even_if_already_queued()
    {
        var probe = new TestProbe(_system);
        var ticker = _system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "replacing-ticker");

        ticker.Tell("replace");

        Assert.Equal("second", await probe.FishForAsync<string>(s => s is "first" or "second"));
    }

    private sealed class FaultyStop : ReceiveActor
    {
        public FaultyStop(int depth)
        {
            if (depth > 0)
            {
                Context.ActorOf(Props.Create(() => new FaultyStop(depth - 1)), "child");
            }

            Receive<string>(_ => Sender!.Tell("ok", Self));
        }

        protected override void PostStop() => throw new InvalidOperationException("PostStop failed");
    }

    [Fact]
    public async Task A_throwing_PostStop_does_not_keep_the_actor_or_the_system_from_stopping()
    {
        var system = ActorSystem.Create("faulty-stop");
        var faulty = system.ActorOf(Props.Create(() => new FaultyStop(2)), "faulty");
        Assert.Equal("ok", await faulty.Ask<string>("ping", TestProbe.Patience));

        await system.Terminate().WaitAsync(TestProbe.Patience);

        Assert.Equal(0, system.LiveActors);
    }

    private sealed record StopWatchedAndWait(IActorRef Target);

    private sealed record UnwatchTarget(IActorRef Target);

    private sealed class Unwatcher : ReceiveActor
    {
        public Unwatcher(IActorRef probe, ManualResetEventSlim targetGone)
        {
            // Stays busy until the target has stopped, so its Terminated queues up behind the UnwatchTarget already waiting.
            Receive<StopWatchedAndWait>(m =>
            {
                Context.Watch(m.Target);
                Context.Stop(m.Target);
                targetGone.Wait(TestProbe.Patience);
            });
            Receive<UnwatchTarget>(m =>
            {
                Context.Unwatch(m.Target);
                probe.Tell("unwatched", Self);
            });
            Receive<Terminated>(t => probe.Tell(t, Self));
            Receive<string>(s => probe.Tell(s, Self));
        }
    }

    [Fact]
    public async Task After_Unwatch_no_Terminated_arrives_even_one_already_on_its_way()
    {
        var probe = new TestProbe(_system);
        var target = _system.ActorOf(Props.Create(() => new Node(new ConcurrentQueue<string>(), 0, 0)), "unwatched-target");
        using var targetGone = new ManualResetEventSlim();
        var watcher = _system.ActorOf(Props.Create(() => new Unwatcher(probe.Ref, targetGone)), "unwatcher");
        var observer = new TestProbe(_system);
        observer.Watch(target);

        watcher.Tell(new StopWatchedAndWait(target));
        watcher.Tell(new UnwatchTarget(target));
        await observer.ExpectTerminatedAsync(target);
        targetGone.Set();
        watcher.Tell("after");

        Assert.Equal("unwatched", await probe.ExpectMsgAsync<string>());
        Assert.Equal("after", await probe.ExpectMsgAsync<string>());
    }

    private sealed class StashesTerminated : ReceiveActor, IWithStash
    {
        public StashesTerminated(IActorRef target, IActorRef probe)
        {
            Context.Watch(target);
            Receive<Terminated>(_ =>
            {
                Stash.Stash();
                probe.Tell("stashed", Self);
            });
            Receive<string>(s => s == "open", _ =>
            {
                Become(() => Receive<Terminated>(t => probe.Tell(t, Self)));
                Stash.UnstashAll();
            });
        }

        public IStash Stash { get; set; } = null!;
    }

    [Fact]
    public async Task A_stashed_Terminated_is_delivered_when_unstashed()
    {
        var probe = new TestProbe(_system);
        var target = _system.ActorOf(Props.Create(() => new Node(new ConcurrentQueue<string>(), 0, 0)), "stash-target");
        var watcher = _system.ActorOf(Props.Create(() => new StashesTerminated(target, probe.Ref)), "stash-watcher");

        _system.Stop(target);
        Assert.Equal("stashed", await probe.ExpectMsgAsync<string>());
        watcher.Tell("open");

        Assert.Same(target, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    private sealed record Progress(string Table, int Percent);

    [Fact]
    public async Task The_event_stream_delivers_by_type_to_actors_and_callbacks_until_unsubscribed()
    {
        var probe = new TestProbe(_system);
        var seen = new ConcurrentQueue<object>();
        _system.EventStream.Subscribe<Progress>(probe.Ref);
        var subscription = _system.EventStream.Subscribe<object>(seen.Enqueue);

        _system.EventStream.Publish(new Progress("orders", 50));
        _system.EventStream.Publish("not progress");

        Assert.Equal(new Progress("orders", 50), await probe.ExpectMsgAsync<Progress>());
        Assert.Equal([new Progress("orders", 50), "not progress"], seen.ToArray());
        subscription.Dispose();
        _system.EventStream.Unsubscribe(probe.Ref);
        _system.EventStream.Publish(new Progress("orders", 100));
        _system.EventStream.Publish(new Progress("orders", 101));
        Assert.Equal(2, seen.Count);
        Assert.False(_system.EventStream.Unsubscribe(probe.Ref));
    }
}
