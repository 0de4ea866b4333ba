using System.Collections.Concurrent;
using Notify.Core.Apps;

namespace Notify.Core.Apps;

/// <summary>Where signed-out console sessions are written: one record per session id, kept until the session's end.</summary>
public interface IConsoleSessionRevocationStore
{
    /// <summary>Records that the session ended before its expiry (idempotent).</summary>
    Task RevokeAsync(ConsoleSession session, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>True when the session was revoked. The session's expiry is part of the key, so this is one point read.</summary>
    Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken);

    /// <summary>Deletes the records of sessions that ended on a day before <paramref name="today"/> (all of them have expired); returns how many.</summary>
    Task<int> DropExpiredAsync(DateOnly today, CancellationToken cancellationToken);
}

/// <summary>
/// Sign-out made server-side: the session cookie is stateless (signed), so a signed-out session's cookie would
/// stay valid until it expires; a revocation record per session id ends it. Read on every console request through
/// a cache that lives <c>Notify:Security:AppCacheDuration</c> (30 s) like the app cache: a sign-out on this instance
/// is refused at once (the cache learns it as it is written), on another instance within that duration.
/// A revocation, once seen, is cached until the session's expiry: it never comes undone. The first sign-out of each
/// UTC day on an instance also drops the records of sessions that ended before that day.
/// </summary>
public sealed partial class ConsoleSessionRevocations(
    IConsoleSessionRevocationStore store,
    TimeProvider time,
    IOptionsMonitor<SecurityOptions> options,
    ILogger<ConsoleSessionRevocations> logger)
{
    /// <summary>Sessions checked at most this many at once in the cache; beyond it, expired entries are dropped, then the cache is cleared.</summary>
    private const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<string, (bool Revoked, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private int _purgedDay;

    public async Task RevokeAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.RevokeAsync(session, now, cancellationToken);
        Remember(session.SessionId, (true, session.ExpiresAt));
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var previous = Interlocked.Exchange(ref _purgedDay, today.DayNumber);
        if (previous != today.DayNumber)
        {
            await PurgeAsync(today, previous, cancellationToken);
        }
    }

    private async Task PurgeAsync(DateOnly today, int previous, CancellationToken cancellationToken)
    {
        try
        {
            var dropped = await store.DropExpiredAsync(today, cancellationToken);
            LogPurged(logger, dropped);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Housekeeping only: the sign-out is written; the next sign-out tries again.
            Interlocked.CompareExchange(ref _purgedDay, previous, today.DayNumber);
            LogPurgeFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 15301, EventName = "ConsoleRevocationsPurged", Level = LogLevel.Information, Message = "Dropped {Count} revocation records of console sessions that ended before today")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 15302, EventName = "ConsoleRevocationsNotPurged", Level = LogLevel.Warning, Message = "The revocation records of ended console sessions could not be dropped; the next sign-out tries again")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);

    public async Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(session.SessionId, out var cached) && now < cached.Until)
        {
            return cached.Revoked;
        }
        var revoked = await store.IsRevokedAsync(session, cancellationToken);
        var duration = options.CurrentValue.AppCacheDuration;
        if (revoked)
        {
            Remember(session.SessionId, (true, session.ExpiresAt));
        }
        else if (duration > TimeSpan.Zero)
        {
            Remember(session.SessionId, (false, now + duration));
        }
        return revoked;
    }

    private void Remember(string sessionId, (bool Revoked, DateTimeOffset Until) entry)
    {
        if (_cache.Count >= MaxCached && !_cache.ContainsKey(sessionId))
        {
            var now = time.GetUtcNow();
            foreach (var (id, cached) in _cache)
            {
                if (now >= cached.Until)
                {
                    _cache.TryRemove(id, out _);
                }
            }
            if (_cache.Count >= MaxCached)
            {
                _cache.Clear();
            }
        }
        _cache[sessionId] = entry;
    }
}
