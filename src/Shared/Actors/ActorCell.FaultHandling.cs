using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Replication.Actors;

internal sealed partial class ActorCell
{
    private int _suspendCount;
    private bool _failed;
    private object? _failedMessage;
    private Exception? _failureCause;
    private ActorCell? _escalatedFrom;
    private Exception? _awaitingRecreate;
    private Timer? _recreateTimer;

    /// <summary>
    /// A handler, constructor or lifecycle hook threw: stop processing user messages, suspend the children and ask
    /// the parent what to do. The exception goes no further: no thread and no process ever sees it.
    /// </summary>
    internal void HandleInvokeFailure(Exception cause, object? message)
    {
        if (_terminating)
        {
            Log.LogError(cause, "Actor {ActorPath} failed while stopping", Self.Path);
            return;
        }

        if (_failed)
        {
            Log.LogError(cause, "Actor {ActorPath} failed again while its supervisor decides on an earlier failure", Self.Path);
            return;
        }

        _failed = true;
        _failedMessage = message;
        _failureCause = cause;
        PostToChildren(Suspend.Instance);
        if (_parent is null)
        {
            Log.LogCritical(cause, "The guardian {ActorPath} failed; it carries on", Self.Path);
            FaultResume();
            return;
        }

        _parent.Mailbox.PostSystem(new Failed(this, cause));
    }

    private SupervisorStrategy CurrentSupervisorStrategy()
    {
        try
        {
            return _actor?.InvokeSupervisorStrategy() ?? Props.SupervisorStrategy ?? System.DefaultSupervisorStrategy;
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "SupervisorStrategy() of {ActorPath} threw; using the system default", Self.Path);
            return System.DefaultSupervisorStrategy;
        }
    }

    private void HandleChildFailure(Failed failed)
    {
        var record = FindChild(failed.Child);
        if (record is null || record.Stopping || _terminating)
        {
            return;
        }

        var strategy = CurrentSupervisorStrategy();
        Directive directive;
        try
        {
            directive = strategy.Decide(failed.Cause);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "The supervisor decider of {ActorPath} threw; escalating", Self.Path);
            directive = Directive.Escalate;
        }

        var childLog = failed.Child.Log;
        switch (directive)
        {
            case Directive.Resume:
                childLog.LogWarning(failed.Cause, "Actor {ActorPath} failed; resuming", failed.Child.Self.Path);
                failed.Child.Mailbox.PostSystem(ResumeAfterFailure.Instance);
                break;

            case Directive.Restart:
                var now = Stopwatch.GetTimestamp();
                if (!record.RestartStats.RequestRestartPermission(strategy.MaxNrOfRetries, strategy.WithinTimeRange, now))
                {
                    childLog.LogError(
                        failed.Cause,
                        "Actor {ActorPath} failed more than {MaxRetries} times within {Window}; stopping it",
                        failed.Child.Self.Path,
                        strategy.MaxNrOfRetries,
                        strategy.WithinTimeRange);
                    StopChild(record);
                    break;
                }

                var backoff = strategy.Backoff ?? System.Settings.RestartBackoff;
                var attempt = record.RestartStats.NextBackoffAttempt(backoff.ResetAfter, now);
                var delay = backoff.DelayFor(attempt, Random.Shared.NextDouble());
                // A restart is the normal answer to a dependency that is down and may repeat for as long as it stays down:
                // one line with the causes; the stack trace only at debug level.
                childLog.LogError("Actor {ActorPath} failed; restarting in {Delay}: {Cause}", failed.Child.Self.Path, delay, Causes(failed.Cause));
                childLog.LogDebug(failed.Cause, "Actor {ActorPath} failure in full", failed.Child.Self.Path);
                failed.Child.ScheduleRecreate(failed.Cause, delay);
                break;

            case Directive.Stop:
                childLog.LogError(failed.Cause, "Actor {ActorPath} failed; stopping it", failed.Child.Self.Path);
                StopChild(record);
                break;

            default:
                if (_parent is null)
                {
                    childLog.LogCritical(failed.Cause, "Actor {ActorPath} failed and escalated to the guardian; stopping it", failed.Child.Self.Path);
                    StopChild(record);
                    break;
                }

                childLog.LogError(failed.Cause, "Actor {ActorPath} failed; escalating to {Supervisor}", failed.Child.Self.Path, Self.Path);
                _escalatedFrom = failed.Child;
                HandleInvokeFailure(failed.Cause, null);
                break;
        }
    }

    /// <summary>Called on the child by its supervisor's turn; the restart arrives as a system message once the back-off has passed.</summary>
    internal void ScheduleRecreate(Exception cause, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            _mailbox.PostSystem(new Recreate(cause));
            return;
        }

        var timer = new Timer(_ => FireRecreate(cause), null, Timeout.Infinite, Timeout.Infinite);
        System.TimerStarted();
        if (Interlocked.Exchange(ref _recreateTimer, timer) is { } previous)
        {
            previous.Dispose();
            System.TimerStopped();
        }

        timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void FireRecreate(Exception cause)
    {
        if (CancelScheduledRecreate())
        {
            _mailbox.PostSystem(new Recreate(cause));
        }
    }

    private bool CancelScheduledRecreate()
    {
        if (Interlocked.Exchange(ref _recreateTimer, null) is not { } timer)
        {
            return false;
        }

        timer.Dispose();
        System.TimerStopped();
        return true;
    }

    private void FaultResume()
    {
        // There is no instance to resume when construction failed; as in Akka, resuming it means creating one.
        if (_actor is null && _failureCause is { } cause && !_terminating)
        {
            FaultRecreate(cause);
            return;
        }

        _failed = false;
        _failedMessage = null;
        foreach (var record in ChildRecords())
        {
            if (ReferenceEquals(record.Cell, _escalatedFrom))
            {
                record.Cell.Mailbox.PostSystem(ResumeAfterFailure.Instance);
            }

            record.Cell.Mailbox.PostSystem(Resume.Instance);
        }

        _escalatedFrom = null;
    }

    /// <summary>
    /// The restart directive: the failed instance gets PreRestart (by default stopping its children), the stash goes
    /// back to the mailbox, timers are cancelled, and once the children being stopped are gone a fresh instance takes
    /// over the same mailbox.
    /// </summary>
    private void FaultRecreate(Exception cause)
    {
        if (_terminating)
        {
            return;
        }

        if (_actor is { } failedActor)
        {
            _stash?.UnstashAll();
            _timers?.CancelAll();
            try
            {
                failedActor.InvokePreRestart(cause, _failedMessage);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PreRestart of {ActorPath} threw", Self.Path);
            }
        }

        _failedMessage = null;
        if (AnyChildStopping())
        {
            _awaitingRecreate = cause;
            return;
        }

        FinishRecreate(cause);
    }

    private void FinishRecreate(Exception cause)
    {
        _awaitingRecreate = null;
        _escalatedFrom = null;
        var survivors = ChildRecords();
        _failed = false;
        _suspendCount = 0;
        try
        {
            _actor = null;
            _actor = NewActorInstance();
            _actor.InvokePostRestart(cause);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex is ActorInitializationException ? ex : new ActorInitializationException(Self, ex), null);
            return;
        }

        // Children that PreRestart chose to keep are restarted with the same cause, as Akka does.
        foreach (var survivor in survivors)
        {
            if (!survivor.Stopping)
            {
                survivor.Cell.Mailbox.PostSystem(new Recreate(cause));
            }
        }
    }

    /// <summary>The messages of an exception and its inner exceptions on one line, each once.</summary>
    private static string Causes(Exception cause)
    {
        var messages = new List<string>();
        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (!messages.Any(m => m.Contains(e.Message, StringComparison.Ordinal))) messages.Add($"{e.GetType().Name}: {e.Message}");
        }
        return string.Join(" <- ", messages).ReplaceLineEndings(" ");
    }
}
