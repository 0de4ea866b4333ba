using System.Collections.Concurrent;

namespace Notify.Core.Apps;

/// <summary>
/// The app table as the request path sees it: records cached in memory for <c>AppCacheDuration</c> (only apps
/// that exist, so the cache is bounded by the table), dropped at once on this instance when an admin call
/// changes them, and last-used times written at most once per <c>LastUsedInterval</c> per app.
/// </summary>
public sealed class AppDirectory(IAppStore store, TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    private readonly ConcurrentDictionary<string, (AppRecord App, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastTouched = new(StringComparer.Ordinal);

    public IAppStore Store => store;

    /// <summary>The app, from the cache when it is fresh (<c>Cached</c> says so), else from the table.</summary>
    public async Task<(AppRecord? App, bool Cached)> FindAsync(string appKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(appKey, out var cached) && now < cached.Until)
        {
            return (cached.App, true);
        }
        return (await ReadAsync(appKey, now, cancellationToken), false);
    }

    /// <summary>Reads the app from the table and refreshes the cache.</summary>
    public Task<AppRecord?> RefreshAsync(string appKey, CancellationToken cancellationToken) =>
        ReadAsync(appKey, time.GetUtcNow(), cancellationToken);

    private async Task<AppRecord?> ReadAsync(string appKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var app = await store.GetAsync(appKey, cancellationToken);
        var duration = options.CurrentValue.AppCacheDuration;
        if (app is null || duration <= TimeSpan.Zero)
        {
            _cache.TryRemove(appKey, out _);
        }
        else
        {
            _cache[appKey] = (app, now + duration);
        }
        return app;
    }

    /// <summary>Forgets a cached record after a change, so this instance sees the change on its next request.</summary>
    public void Invalidate(string appKey) => _cache.TryRemove(appKey, out _);

    /// <summary>Writes the last-used time unless this instance wrote it less than <c>LastUsedInterval</c> ago.</summary>
    public async Task RecordUseAsync(string appKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var interval = options.CurrentValue.LastUsedInterval;
        while (true)
        {
            if (_lastTouched.TryGetValue(appKey, out var last))
            {
                if (now - last < interval)
                {
                    return;
                }
                if (_lastTouched.TryUpdate(appKey, now, last))
                {
                    break;
                }
            }
            else if (_lastTouched.TryAdd(appKey, now))
            {
                break;
            }
        }
        await store.TouchAsync(appKey, now, cancellationToken);
    }
}
