using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Notify.Core.Apps;

/// <summary>
/// Counts failed authentications per app key and per client address in fixed windows, in memory on this instance.
/// Past the limit, the key or address is refused with 429 until its window ends, before any storage read: guessing
/// costs the attacker time and costs Notify nothing. Only failures that could be guesses count (a wrong secret,
/// an unknown key, a malformed header), not a missing header, a disabled app or a missing scope.
/// </summary>
public sealed class FailedAuthThrottle(TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    private readonly Counters _byKey = new();
    private readonly Counters _byAddress = new();

    /// <summary>How long the key or address is still blocked; null when it may try.</summary>
    public TimeSpan? BlockedFor(string? appKey, string address)
    {
        var settings = options.CurrentValue.FailedAuth;
        var now = time.GetUtcNow();
        var byAddress = _byAddress.BlockedFor(address, settings.PerAddress, now);
        var byKey = appKey is null ? null : _byKey.BlockedFor(appKey, settings.PerAppKey, now);
        return (byAddress, byKey) switch
        {
            (null, null) => null,
            ({ } a, { } k) => a > k ? a : k,
            _ => byAddress ?? byKey,
        };
    }

    /// <summary>
    /// Records a failure. <paramref name="knownAppKey"/> is the app key only when it names an existing app, so
    /// invented keys cannot fill the table; they still count against the address.
    /// </summary>
    /// <returns>True when this failure started a block (to log it once).</returns>
    public bool RecordFailure(string? knownAppKey, string address)
    {
        var settings = options.CurrentValue.FailedAuth;
        var now = time.GetUtcNow();
        var blocked = _byAddress.Add(address, settings.PerAddress, settings.Window, settings.MaxTracked, now);
        if (knownAppKey is not null)
        {
            blocked |= _byKey.Add(knownAppKey, settings.PerAppKey, settings.Window, settings.MaxTracked, now);
        }
        return blocked;
    }

    private sealed class Counters
    {
        private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

        public TimeSpan? BlockedFor(string key, int limit, DateTimeOffset now) =>
            _windows.TryGetValue(key, out var w) && w.Count >= limit && now < w.Ends ? w.Ends - now : null;

        public bool Add(string key, int limit, TimeSpan length, int maxTracked, DateTimeOffset now)
        {
            if (!_windows.ContainsKey(key) && _windows.Count >= maxTracked)
            {
                foreach (var (k, w) in _windows)
                {
                    if (now >= w.Ends)
                    {
                        _windows.TryRemove(k, out _);
                    }
                }
                if (_windows.Count >= maxTracked)
                {
                    // Full of live entries: an attack from very many addresses. Per-key limits still apply.
                    return false;
                }
            }
            var updated = _windows.AddOrUpdate(
                key,
                static (_, n) => new Window(n.Now + n.Length, 1),
                static (_, w, n) => n.Now >= w.Ends ? new Window(n.Now + n.Length, 1) : w with { Count = w.Count + 1 },
                (Now: now, Length: length));
            return updated.Count == limit;
        }

        private sealed record Window(DateTimeOffset Ends, int Count);
    }
}
