namespace Replication.Actors;

/// <summary>Turns the outcome of a task into a message, so an actor can start I/O and get its result back in its mailbox.</summary>
public static class PipeToExtensions
{
    /// <summary>
    /// Sends the result (or <paramref name="success"/> of it) to <paramref name="recipient"/> when the task completes;
    /// a failure or cancellation sends <see cref="Status.Failure"/> (or <paramref name="failure"/> of the exception).
    /// </summary>
    public static async Task PipeTo<T>(
        this Task<T> task,
        IActorRef recipient,
        IActorRef? sender = null,
        Func<T, object>? success = null,
        Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        try
        {
            var result = await task.ConfigureAwait(false);
            recipient.Tell(success is null ? result! : success(result), sender);
        }
        catch (Exception ex)
        {
            recipient.Tell(failure is null ? new Status.Failure(ex) : failure(ex), sender);
        }
    }

    /// <summary>As <see cref="PipeTo{T}"/> for a task without a result: success sends <see cref="Status.Success"/> (or <paramref name="success"/>()).</summary>
    public static async Task PipeTo(
        this Task task,
        IActorRef recipient,
        IActorRef? sender = null,
        Func<object>? success = null,
        Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        try
        {
            await task.ConfigureAwait(false);
            recipient.Tell(success is null ? new Status.Success(null) : success(), sender);
        }
        catch (Exception ex)
        {
            recipient.Tell(failure is null ? new Status.Failure(ex) : failure(ex), sender);
        }
    }
}
