using Notify.Core.Apps;

namespace Notify.Core.Inbox;

/// <summary>
/// The browser origins the end users' API answers (docs/inbox.md): a preflight carries no token, so it is allowed for
/// the union of every app's <see cref="AppRecord.AllowedOrigins"/>; the request itself only for the origins of the app
/// that issued its token. The union is read from the app table at most once a minute per instance.
/// </summary>
public sealed class InboxOrigins(AppDirectory apps, TimeProvider time)
{
    private static readonly TimeSpan UnionLifetime = TimeSpan.FromMinutes(1);

    private volatile UnionCache? _union;

    public async Task<bool> AnyAppAllowsAsync(string origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cached = _union;
        if (cached is null || now >= cached.Until)
        {
            var all = await apps.Store.ListAsync(cancellationToken);
            cached = new UnionCache(
                all.Where(a => !a.Disabled).SelectMany(a => a.AllowedOrigins).ToHashSet(StringComparer.OrdinalIgnoreCase),
                now + UnionLifetime);
            _union = cached;
        }
        return cached.Origins.Contains(origin);
    }

    public async Task<bool> AppAllowsAsync(string appKey, string origin, CancellationToken cancellationToken)
    {
        var (app, _) = await apps.FindAsync(appKey, cancellationToken);
        return app is { Disabled: false } && app.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);
    }

    private sealed record UnionCache(HashSet<string> Origins, DateTimeOffset Until);
}
