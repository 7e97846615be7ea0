using Microsoft.Extensions.Logging;

namespace Replication.Actors;

/// <summary>
/// Wraps an actor's logger so every entry carries the actor path in an <c>ActorPath</c> scope. The scope is opened
/// per entry rather than per message, because an async handler's log calls run on whatever thread resumes it and
/// because most messages log nothing.
/// </summary>
internal sealed class ActorLogger(ILogger inner, ActorPath path) : ILogger
{
    private readonly ActorPathScope _scope = new(path);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        using (inner.BeginScope(_scope))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}

/// <summary>A structured scope with one property, <c>ActorPath</c>.</summary>
public sealed class ActorPathScope(ActorPath path) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string PropertyName = "ActorPath";

    public ActorPath Path { get; } = path;

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new KeyValuePair<string, object?>(PropertyName, Path.ToString()) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{PropertyName}:{Path}";
}
