using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// Every log line of every <see cref="Infrastructure.NotifyHost"/> in this test process, at Trace level, filtered
/// like production (the URL-logging categories Notify holds at Warning stay there). The secret-leak test scans it.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public static readonly LogCapture Instance = new();

    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public static void AddTo(ILoggingBuilder logging)
    {
        logging.AddProvider(Instance);
        logging.AddFilter<LogCapture>(null, LogLevel.Trace);
        foreach (var category in AppsExtensions.UrlLoggingCategories)
        {
            logging.AddFilter<LogCapture>(category, LogLevel.Warning);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        // Shared by every host of the run; hosts come and go, the capture stays.
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            capture._lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} | {structured} {exception}");
        }
    }
}
