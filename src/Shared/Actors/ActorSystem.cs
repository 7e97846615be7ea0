using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Replication.Actors;

/// <summary>
/// A named tree of actors under one guardian (<c>/user</c>). <see cref="Terminate"/> stops every actor top-down
/// (each actor's PostStop runs after its children's) and completes when the last one has stopped.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorCell _guardian;
    private readonly ILogger _deadLetterLog;
    private long _deadLetters;
    private long _liveActors;
    private long _runningTurns;
    private long _armedTimers;
    private long _nextTempNumber;

    private ActorSystem(string name, ActorSystemSettings settings, ILoggerFactory loggerFactory)
    {
        Name = name;
        Settings = settings;
        LoggerFactory = loggerFactory;
        _deadLetterLog = loggerFactory.CreateLogger("Replication.Actors.DeadLetters");
        EventStream = new EventStream(loggerFactory.CreateLogger<EventStream>());
        DeadLetters = new DeadLetterActorRef(this, ActorPath.Root(name, "deadLetters"));
        DefaultSupervisorStrategy = new OneForOneStrategy(
            settings.SupervisorMaxRetries,
            settings.SupervisorRetryWindow,
            SupervisorStrategy.DefaultDecider,
            settings.RestartBackoff);
        _guardian = new ActorCell(this, null, Props.Create<GuardianActor>(), ActorPath.Root(name, "user"));
        _guardian.Start();
    }

    public string Name { get; }

    public ActorSystemSettings Settings { get; }

    public ILoggerFactory LoggerFactory { get; }

    public EventStream EventStream { get; }

    public IActorRef DeadLetters { get; }

    /// <summary>Strategy of the guardian and of every actor whose Props and code choose none.</summary>
    public SupervisorStrategy DefaultSupervisorStrategy { get; }

    /// <summary>Messages that could not be delivered since the system started.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>Completes when every actor, the guardian last, has stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal long LiveActors => Interlocked.Read(ref _liveActors);

    internal long RunningTurns => Interlocked.Read(ref _runningTurns);

    internal long ArmedTimers => Interlocked.Read(ref _armedTimers);

    /// <param name="name">Letters, digits, '-' and '_', starting with a letter or digit.</param>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null, ILoggerFactory? loggerFactory = null)
    {
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Actor system name [{name}] must be letters, digits, '-' and '_', starting with a letter or digit.", nameof(name));
        }

        settings ??= ActorSystemSettings.Default;
        if (settings.Throughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Throughput, "ActorSystemSettings.Throughput must be at least 1.");
        }

        return new ActorSystem(name, settings, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>Creates a system configured from a section such as <c>replication:actors</c> (see <see cref="ActorSystemSettings.FromConfiguration"/>).</summary>
    public static ActorSystem Create(string name, IConfiguration section, ILoggerFactory? loggerFactory = null) =>
        Create(name, ActorSystemSettings.FromConfiguration(section), loggerFactory);

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _guardian.ActorOf(props, name);

    /// <summary>Stops any actor of this system after the message it is processing.</summary>
    public void Stop(IActorRef actor)
    {
        if (actor is LocalActorRef local)
        {
            local.Cell.Mailbox.PostSystem(global::Replication.Actors.Terminate.Instance);
        }
    }

    /// <summary>Stops every actor, top-down; the task completes when all have stopped.</summary>
    public Task Terminate()
    {
        _guardian.Mailbox.PostSystem(global::Replication.Actors.Terminate.Instance);
        return WhenTerminated;
    }

    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    public override string ToString() => $"ActorSystem {Name}";

    internal ActorPath NewTempPath() => ActorPath.Root(Name, "temp") / ("$" + Interlocked.Increment(ref _nextTempNumber).ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal void RecordDeadLetter(object message, IActorRef? sender, IActorRef recipient)
    {
        var count = Interlocked.Increment(ref _deadLetters);
        var limit = Settings.DeadLetterLogLimit;
        if (count <= limit)
        {
            _deadLetterLog.LogInformation(
                "Message {MessageType} from {Sender} to {Recipient} was not delivered; {Count} dead letters so far",
                message.GetType().Name,
                sender?.Path.ToString() ?? "no sender",
                recipient.Path,
                count);
            if (count == limit)
            {
                _deadLetterLog.LogInformation("Dead-letter log limit {Limit} reached; further dead letters are counted but not logged", limit);
            }
        }

        if (message is not DeadLetter)
        {
            EventStream.Publish(new DeadLetter(message, sender, recipient));
        }
    }

    internal void CellStarted() => Interlocked.Increment(ref _liveActors);

    internal void CellStopped() => Interlocked.Decrement(ref _liveActors);

    internal void TurnScheduled() => Interlocked.Increment(ref _runningTurns);

    internal void TurnEnded() => Interlocked.Decrement(ref _runningTurns);

    internal void TimerStarted() => Interlocked.Increment(ref _armedTimers);

    internal void TimerStopped() => Interlocked.Decrement(ref _armedTimers);

    internal void GuardianTerminated() => _terminated.TrySetResult();
}
