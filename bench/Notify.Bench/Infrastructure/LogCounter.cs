using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Notify.Bench.Infrastructure;

/// <summary>
/// A logger provider that writes nothing and counts the entries the host logs, by category kind (Notify's own, the
/// rest) and level: what a deployment at the default levels would send as traces.
/// </summary>
public sealed class LogCounter : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    public void Reset() => _counts.Clear();

    public ILogger CreateLogger(string categoryName) => new Counting(this, categoryName.StartsWith("Notify", StringComparison.Ordinal) ? "notify" : "other");

    public void Dispose()
    {
    }

    private sealed class Counting(LogCounter owner, string kind) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var key = $"{kind}:{(logLevel >= LogLevel.Warning ? "warning+" : "information")}:{eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                owner._counts.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
        }
    }
}
