using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Replication.Tests.EndToEnd;

/// <summary>Keeps every log line a node writes, so a test can assert on what the user is told.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Lines => [.. _lines];

    public IEnumerable<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Text);

    /// <summary>Polls until a line at <paramref name="level"/> satisfies <paramref name="match"/>; on timeout fails listing what was logged at that level.</summary>
    public async Task<string> WaitForAsync(LogLevel level, Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (At(level).FirstOrDefault(match) is { } line) return line;
            await Task.Delay(100);
        }
        Assert.Fail($"no {level} log line {what}; {level} lines were:\n{string.Join("\n", At(level))}");
        return "";
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs._lines.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception.Message)));
    }
}
