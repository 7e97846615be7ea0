using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Replication.ShardActors;

/// <summary>
/// Our actors log through Microsoft.Extensions.Logging, as the rest of the node does, so their lines reach the same
/// console and filters. Every entry carries the actor's path in an <c>ActorPath</c> scope.
/// </summary>
public static class ActorLog
{
    /// <summary>A logger named after the actor's type; call it from the actor's constructor (it needs the actor's Self).</summary>
    public static ILogger For(ILoggerFactory loggers, IActorContext context) =>
        new ActorPathLogger(loggers.CreateLogger(context.Props.Type), context.Self.Path.ToStringWithoutAddress());

    // The scope is opened per entry rather than per message: an async handler's log calls run on whatever thread resumes it.
    private sealed class ActorPathLogger(ILogger inner, string path) : ILogger
    {
        private readonly ActorPathScope _scope = new(path);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            using (inner.BeginScope(_scope))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}

/// <summary>A structured logging scope with one property, <c>ActorPath</c>.</summary>
public sealed class ActorPathScope(string path) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string PropertyName = "ActorPath";

    public string Path { get; } = path;

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new KeyValuePair<string, object?>(PropertyName, Path) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{PropertyName}:{Path}";
}
