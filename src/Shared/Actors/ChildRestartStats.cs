namespace Replication.Actors;

/// <summary>A supervisor's record of one child's restarts: the retry budget in the current window and the back-off attempt.</summary>
internal sealed class ChildRestartStats
{
    private int _retriesInWindow;
    private long _windowStart = -1;
    private int _backoffAttempt;
    private long _lastRestart = -1;

    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan window, long now)
    {
        if (maxNrOfRetries < 0)
        {
            return true;
        }

        if (maxNrOfRetries == 0)
        {
            return false;
        }

        if (window == Timeout.InfiniteTimeSpan)
        {
            return ++_retriesInWindow <= maxNrOfRetries;
        }

        if (_windowStart < 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_windowStart, now) > window)
        {
            _windowStart = now;
            _retriesInWindow = 1;
            return true;
        }

        return ++_retriesInWindow <= maxNrOfRetries;
    }

    public int NextBackoffAttempt(TimeSpan resetAfter, long now)
    {
        if (_lastRestart >= 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastRestart, now) > resetAfter)
        {
            _backoffAttempt = 0;
        }

        _lastRestart = now;
        return _backoffAttempt++;
    }
}
