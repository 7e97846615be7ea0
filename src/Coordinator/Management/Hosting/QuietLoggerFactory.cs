using Microsoft.Extensions.Logging;

namespace Replication.Coordinator.Management.Hosting;

/// <summary>
/// The node's logger factory as the web host sees it: ASP.NET Core and hosting categories ("Now listening on…",
/// "Request starting…") only get through from Warning up, and without stack traces, so the management server adds no
/// console noise; the node reports a failure that matters (a port in use) in its own words.
/// </summary>
internal sealed class QuietLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new WarningsOnly(logger) : logger;
    }

    // The host must not add providers to, or dispose, the node's factory: it is only borrowed.
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            if (exception is null) inner.Log(logLevel, eventId, state, null, formatter);
            else inner.Log(logLevel, eventId, state, null, (s, _) => $"{formatter(s, exception)}: {exception.GetBaseException().Message}");
        }
    }
}
