namespace Replication.Actors;

/// <summary>Implement on an actor to get keyed timers that send messages to itself; the kernel sets the property right after construction.</summary>
public interface IWithTimers
{
    ITimerScheduler Timers { get; set; }
}

/// <summary>
/// Keyed timers owned by one actor. Starting a timer with a key in use replaces it, and a message of a cancelled or
/// replaced timer is never delivered, even if it was already queued. All timers are cancelled when the actor stops
/// or restarts.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, TimeSpan timeout);

    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    bool IsTimerActive(object key);

    void Cancel(object key);

    void CancelAll();
}
