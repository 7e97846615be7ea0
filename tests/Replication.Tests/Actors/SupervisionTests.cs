using System.Collections.Concurrent;
using System.Diagnostics;
using Replication.Actors;

namespace Replication.Tests.Actors;

public sealed class SupervisionTests : IAsyncLifetime
{
    private static readonly RestartBackoff NoBackoff = RestartBackoff.Immediate;

    private readonly ActorSystem _system = ActorSystem.Create("supervision");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate().WaitAsync(TestProbe.Patience);

    private sealed record Fail(Exception Cause);

    private sealed record FailAsync(Exception Cause);

    /// <summary>A counter that records its lifecycle, with the instance number, in a shared journal.</summary>
    private sealed class Counter : ReceiveActor
    {
        private static int s_instances;
        private readonly ConcurrentQueue<string> _journal;
        private readonly int _instance = Interlocked.Increment(ref s_instances);
        private int _count;

        public Counter(ConcurrentQueue<string> journal, ConcurrentQueue<long>? failureTimes = null)
        {
            _journal = journal;
            Receive<string>(s => s == "inc", _ => _count++);
            Receive<string>(s => s == "get", _ => Sender!.Tell(_count, Self));
            Receive<string>(s => s == "instance", _ => Sender!.Tell(_instance, Self));
            Receive<Fail>(f =>
            {
                failureTimes?.Enqueue(Stopwatch.GetTimestamp());
                throw f.Cause;
            });
            ReceiveAsync<FailAsync>(async f =>
            {
                await Task.Yield();
                throw f.Cause;
            });
        }

        protected override void PreStart() => _journal.Enqueue($"{Self.Path.Name}:PreStart");

        protected override void PostStop() => _journal.Enqueue($"{Self.Path.Name}:PostStop");

        protected override void PreRestart(Exception reason, object? message)
        {
            _journal.Enqueue($"{Self.Path.Name}:PreRestart:{reason.Message}:{(message as Fail)?.Cause.Message ?? "-"}");
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            _journal.Enqueue($"{Self.Path.Name}:PostRestart");
            base.PostRestart(reason);
        }
    }

    /// <summary>Creates one child from the given props and passes every message to it, keeping the sender.</summary>
    private sealed class Supervisor : ReceiveActor
    {
        private readonly ConcurrentQueue<string>? _journal;

        public Supervisor(Props childProps, ConcurrentQueue<string>? journal = null)
        {
            _journal = journal;
            var child = Context.ActorOf(childProps, "child");
            Receive<string>(s => s == "child", _ => Sender!.Tell(child, Self));
            ReceiveAny(m => child.Tell(m, Sender));
        }

        protected override void PostRestart(Exception reason)
        {
            _journal?.Enqueue("supervisor:PostRestart");
            base.PostRestart(reason);
        }
    }

    private IActorRef Supervise(Props child, Func<Exception, Directive> decider, int maxRetries = -1, TimeSpan? within = null, RestartBackoff? backoff = null, string? name = null)
    {
        var strategy = new OneForOneStrategy(maxRetries, within ?? Timeout.InfiniteTimeSpan, decider, backoff ?? NoBackoff);
        return _system.ActorOf(Props.Create(() => new Supervisor(child)).WithSupervisorStrategy(strategy), name);
    }

    [Fact]
    public async Task Resume_keeps_the_instance_and_its_state_and_drops_the_failed_message()
    {
        var journal = new ConcurrentQueue<string>();
        var supervisor = Supervise(Props.Create(() => new Counter(journal)), _ => Directive.Resume);

        supervisor.Tell("inc");
        supervisor.Tell("inc");
        supervisor.Tell(new Fail(new InvalidOperationException("boom")));
        supervisor.Tell("inc");

        Assert.Equal(3, await supervisor.Ask<int>("get", TestProbe.Patience));
        Assert.DoesNotContain(journal, e => e.Contains("Restart"));
    }

    [Fact]
    public async Task Restart_replaces_the_instance_runs_the_hooks_and_keeps_the_mailbox()
    {
        var journal = new ConcurrentQueue<string>();
        var supervisor = Supervise(Props.Create(() => new Counter(journal)), _ => Directive.Restart);
        var firstInstance = await supervisor.Ask<int>("instance", TestProbe.Patience);

        supervisor.Tell("inc");
        supervisor.Tell(new Fail(new InvalidOperationException("boom")));
        for (var i = 0; i < 100; i++)
        {
            supervisor.Tell("inc");
        }

        Assert.Equal(100, await supervisor.Ask<int>("get", TestProbe.Patience));
        Assert.NotEqual(firstInstance, await supervisor.Ask<int>("instance", TestProbe.Patience));
        Assert.Equal(
            ["child:PreStart", "child:PreRestart:boom:boom", "child:PostStop", "child:PostRestart", "child:PreStart"],
            journal.ToArray());
    }

    [Fact]
    public async Task A_failing_async_handler_is_supervised_like_a_synchronous_one()
    {
        var journal = new ConcurrentQueue<string>();
        var supervisor = Supervise(Props.Create(() => new Counter(journal)), _ => Directive.Restart);

        supervisor.Tell("inc");
        supervisor.Tell(new FailAsync(new InvalidOperationException("async boom")));

        Assert.Equal(0, await supervisor.Ask<int>("get", TestProbe.Patience));
        Assert.Contains("child:PreRestart:async boom:-", journal);
    }

    [Fact]
    public async Task Stop_directive_stops_the_child_and_its_watchers_get_Terminated()
    {
        var journal = new ConcurrentQueue<string>();
        var supervisor = Supervise(Props.Create(() => new Counter(journal)), _ => Directive.Stop);
        var child = await supervisor.Ask<IActorRef>("child", TestProbe.Patience);
        var probe = new TestProbe(_system);
        probe.Watch(child);

        supervisor.Tell(new Fail(new InvalidOperationException("fatal")));

        await probe.ExpectTerminatedAsync(child);
        Assert.Contains("child:PostStop", journal);
    }

    [Fact]
    public async Task Escalate_fails_the_supervisor_whose_restart_stops_and_recreates_its_children()
    {
        var journal = new ConcurrentQueue<string>();
        var escalating = new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Escalate, NoBackoff);
        var middle = Props.Create(() => new Supervisor(Props.Create(() => new Counter(journal)), journal)).WithSupervisorStrategy(escalating);
        var top = Supervise(middle, _ => Directive.Restart);
        var firstChild = await (await top.Ask<IActorRef>("child", TestProbe.Patience)).Ask<IActorRef>("child", TestProbe.Patience);

        top.Tell(new Fail(new InvalidOperationException("escalated")));

        await Eventually.TrueAsync(() => journal.Contains("supervisor:PostRestart"), "the middle supervisor restarted");
        var secondChild = await (await top.Ask<IActorRef>("child", TestProbe.Patience)).Ask<IActorRef>("child", TestProbe.Patience);
        Assert.NotSame(firstChild, secondChild);
        Assert.Equal(0, await secondChild.Ask<int>("get", TestProbe.Patience));
        Assert.Equal(["child:PreStart", "child:PostStop", "child:PreStart"], journal.Where(e => e.StartsWith("child:")).ToArray());
    }

    private sealed class KeepsChildren : ReceiveActor
    {
        public KeepsChildren(ConcurrentQueue<string> journal)
        {
            // The fresh instance after a restart finds the child it kept.
            var child = Context.Child("kept") ?? Context.ActorOf(Props.Create(() => new Counter(journal)), "kept");
            Receive<string>(s => s == "child", _ => Sender!.Tell(child, Self));
            Receive<Fail>(f => throw f.Cause);
        }

        protected override void PreRestart(Exception reason, object? message)
        {
        }
    }

    [Fact]
    public async Task Children_kept_by_PreRestart_are_restarted_with_their_parent()
    {
        var journal = new ConcurrentQueue<string>();
        var grandparent = Supervise(Props.Create(() => new KeepsChildren(journal)), _ => Directive.Restart);
        var kept = await (await grandparent.Ask<IActorRef>("child", TestProbe.Patience)).Ask<IActorRef>("child", TestProbe.Patience);
        kept.Tell("inc");
        Assert.Equal(1, await kept.Ask<int>("get", TestProbe.Patience));

        grandparent.Tell(new Fail(new InvalidOperationException("parent failed")));

        await Eventually.TrueAsync(() => journal.Contains("kept:PreRestart:parent failed:-"), "the kept child was restarted");
        Assert.Equal(0, await kept.Ask<int>("get", TestProbe.Patience));
        Assert.Same(kept, await (await grandparent.Ask<IActorRef>("child", TestProbe.Patience)).Ask<IActorRef>("child", TestProbe.Patience));
    }

    [Fact]
    public async Task A_child_that_fails_more_often_than_allowed_within_the_window_is_stopped()
    {
        var journal = new ConcurrentQueue<string>();
        var supervisor = Supervise(Props.Create(() => new Counter(journal)), _ => Directive.Restart, maxRetries: 2, within: TimeSpan.FromMinutes(5));
        var child = await supervisor.Ask<IActorRef>("child", TestProbe.Patience);
        var probe = new TestProbe(_system);
        probe.Watch(child);

        for (var i = 1; i <= 3; i++)
        {
            supervisor.Tell(new Fail(new InvalidOperationException($"failure {i}")));
        }

        await probe.ExpectTerminatedAsync(child);
        Assert.Equal(2, journal.Count(e => e == "child:PostRestart"));
    }

    [Fact]
    public async Task Restarts_wait_at_least_the_minimum_back_off_and_the_wait_grows_exponentially()
    {
        var min = TimeSpan.FromMilliseconds(200);
        var journal = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<long>();
        var restarts = new ConcurrentQueue<long>();
        var supervisor = Supervise(
            Props.Create(() => new Counter(journal, failures)),
            _ => Directive.Restart,
            backoff: new RestartBackoff(min, TimeSpan.FromSeconds(10), 0.5));

        supervisor.Tell(new Fail(new InvalidOperationException("first")));
        Assert.Equal(0, await supervisor.Ask<int>("get", TestProbe.Patience));
        restarts.Enqueue(Stopwatch.GetTimestamp());
        supervisor.Tell(new Fail(new InvalidOperationException("second")));
        Assert.Equal(0, await supervisor.Ask<int>("get", TestProbe.Patience));
        restarts.Enqueue(Stopwatch.GetTimestamp());

        var failed = failures.ToArray();
        var restarted = restarts.ToArray();
        Assert.True(Stopwatch.GetElapsedTime(failed[0], restarted[0]) >= min, "the first restart came before the minimum back-off");
        Assert.True(Stopwatch.GetElapsedTime(failed[1], restarted[1]) >= 2 * min, "the second restart did not back off exponentially");
        Assert.Equal(2, journal.Count(e => e == "child:PostRestart"));
    }

    private sealed class Attempts
    {
        public int Value;
    }

    private sealed class FailsToConstructOnce : ReceiveActor
    {
        public FailsToConstructOnce(Attempts attempts)
        {
            if (Interlocked.Increment(ref attempts.Value) == 1)
            {
                throw new InvalidOperationException("first construction fails");
            }

            Receive<string>(_ => Sender!.Tell("alive", Self));
        }
    }

    [Fact]
    public async Task Resuming_an_actor_that_failed_to_construct_creates_it()
    {
        var attempts = new Attempts();
        var supervisor = Supervise(Props.Create(() => new FailsToConstructOnce(attempts)), _ => Directive.Resume);

        Assert.Equal("alive", await supervisor.Ask<string>("ping", TestProbe.Patience));
        Assert.Equal(2, Volatile.Read(ref attempts.Value));
    }

    private sealed class BrokenConstructor : ReceiveActor
    {
        public BrokenConstructor() => throw new InvalidOperationException("cannot construct");
    }

    [Fact]
    public async Task An_actor_whose_constructor_throws_is_stopped_by_the_default_strategy()
    {
        var probe = new TestProbe(_system);
        var broken = _system.ActorOf(Props.Create(() => new BrokenConstructor()), "broken");
        probe.Watch(broken);

        await probe.ExpectTerminatedAsync(broken);
        var replier = _system.ActorOf(Props.Create(() => new Counter(new ConcurrentQueue<string>())));
        Assert.Equal(0, await replier.Ask<int>("get", TestProbe.Patience));
    }

    [Fact]
    public async Task Kill_stops_the_actor_and_an_unhandled_Terminated_is_a_death_pact()
    {
        var probe = new TestProbe(_system);
        var victim = _system.ActorOf(Props.Create(() => new Counter(new ConcurrentQueue<string>())), "victim");
        var pact = _system.ActorOf(Props.Create(() => new Pact(victim)), "pact");
        probe.Watch(victim);
        probe.Watch(pact);

        victim.Tell(Kill.Instance);

        var stopped = new[] { (await probe.FishForAsync<Terminated>()).ActorRef, (await probe.FishForAsync<Terminated>()).ActorRef };
        Assert.Contains(victim, stopped);
        Assert.Contains(pact, stopped);
    }

    private sealed class Pact : ReceiveActor
    {
        public Pact(IActorRef partner)
        {
            Context.Watch(partner);
            Receive<string>(_ => { });
        }
    }
}
