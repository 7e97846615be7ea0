using System.Runtime.ExceptionServices;

namespace Replication.Actors;

public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and waits for its first reply. A
    /// <see cref="Status.Failure"/> reply is thrown as its cause; no reply in time throws <see cref="AskTimeoutException"/>.
    /// </summary>
    /// <param name="timeout">Null uses the system's <see cref="ActorSystemSettings.AskTimeout"/>.</param>
    public static async Task<T> Ask<T>(this IActorRef recipient, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(message);
        var system = (recipient as LocalActorRef)?.Cell.System;
        var wait = timeout ?? system?.Settings.AskTimeout ?? ActorSystemSettings.Default.AskTimeout;
        var promise = new PromiseActorRef(system?.NewTempPath() ?? ActorPath.Root("temp", "ask"));
        recipient.Tell(message, promise);

        object reply;
        try
        {
            reply = await promise.Reply.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"Ask to {recipient.Path} with {message.GetType().Name} got no reply within {wait}.");
        }

        // A failure reply is thrown even for Ask<object>; only an Ask for Status.Failure itself gets it as a value.
        if (reply is Status.Failure failure && typeof(T) != typeof(Status.Failure))
        {
            ExceptionDispatchInfo.Capture(failure.Cause).Throw();
        }

        switch (reply)
        {
            case T result:
                return result;
            default:
                throw new InvalidCastException(
                    $"Ask to {recipient.Path} with {message.GetType().Name} expected a {typeof(T).Name} reply but got {reply.GetType().Name}.");
        }
    }

    public static Task<object> Ask(this IActorRef recipient, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        recipient.Ask<object>(message, timeout, cancellationToken);

    /// <summary>The temporary sender of one Ask: its first message is the reply.</summary>
    private sealed class PromiseActorRef(ActorPath path) : IActorRef
    {
        private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ActorPath Path { get; } = path;

        public Task<object> Reply => _reply.Task;

        public void Tell(object message, IActorRef? sender = null)
        {
            ArgumentNullException.ThrowIfNull(message);
            _reply.TrySetResult(message);
        }

        public override string ToString() => Path.ToString();
    }
}
