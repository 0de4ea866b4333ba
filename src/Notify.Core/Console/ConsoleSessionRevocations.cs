using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Notify.Core.Apps;

namespace Notify.Core.Console;

/// <summary>Where signed-out console sessions are written: one record per session id, kept until the session's end.</summary>
public interface IConsoleSessionRevocationStore
{
    /// <summary>Records that the session ended before its expiry (idempotent).</summary>
    Task RevokeAsync(ConsoleSession session, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>True when the session was revoked. The session's expiry is part of the key, so this is one point read.</summary>
    Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken);
}

/// <summary>
/// Sign-out made server-side: the session cookie is stateless (signed), so a signed-out session's cookie would
/// stay valid until it expires; a revocation record per session id ends it. Read on every console request through
/// a cache that lives <c>Notify:Security:AppCacheDuration</c> (30 s) like the app cache: a sign-out on this instance
/// is refused at once (the cache learns it as it is written), on another instance within that duration.
/// A revocation, once seen, is cached until the session's expiry: it never comes undone.
/// </summary>
public sealed class ConsoleSessionRevocations(IConsoleSessionRevocationStore store, TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    /// <summary>Sessions checked at most this many at once in the cache; beyond it, expired entries are dropped, then the cache is cleared.</summary>
    private const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<string, (bool Revoked, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task RevokeAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        await store.RevokeAsync(session, time.GetUtcNow(), cancellationToken);
        Remember(session.SessionId, (true, session.ExpiresAt));
    }

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
