using System.Collections.Concurrent;

namespace Notify.Core.Apps;

/// <summary>What recording one failed authentication started.</summary>
/// <param name="BlockStarted">The address, or the address for this key, is now refused (to log it once).</param>
/// <param name="KeyBurst">Set when this failure made the key's count, from all addresses, reach the burst threshold (to alert once a window).</param>
public readonly record struct FailedAuthRecorded(bool BlockStarted, (int Count, TimeSpan Window)? KeyBurst);

/// <summary>
/// Counts failed authentications in fixed windows, in memory on this instance, per client address and per
/// (address, app key). Past either limit, that address (or that address for that key) is refused with 429 until
/// its window ends, before any storage read: guessing costs the attacker time and costs Notify nothing. Only
/// failures that could be guesses count (a wrong secret, an unknown key, a malformed header), not a missing header,
/// a disabled app or a missing scope.
/// </summary>
/// <remarks>
/// Failures are also counted per app key, from every address, but only to raise the alert on a burst: a key is
/// never blocked as a whole. App keys are not secret (logs, URLs, the console), so a per-key block would let anyone
/// who knows one lock its app out, while a 256-bit secret cannot be guessed at any rate (docs/security.md).
/// </remarks>
public sealed class FailedAuthThrottle(TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    private readonly Counters _byAddress = new();
    private readonly Counters _byAddressAndKey = new();
    private readonly Counters _byKey = new();

    /// <summary>How long this address (or this address for <paramref name="appKey"/>) is still blocked; null when it may try.</summary>
    public TimeSpan? BlockedFor(string? appKey, string address)
    {
        var settings = options.CurrentValue.FailedAuth;
        var now = time.GetUtcNow();
        var byAddress = _byAddress.BlockedFor(address, settings.PerAddress, now);
        var byPair = appKey is null ? null : _byAddressAndKey.BlockedFor(Pair(address, appKey), settings.PerAddressAndKey, now);
        return (byAddress, byPair) switch
        {
            (null, null) => null,
            ({ } a, { } k) => a > k ? a : k,
            _ => byAddress ?? byPair,
        };
    }

    /// <summary>
    /// Records a failure. <paramref name="knownAppKey"/> is the app key only when it names an existing app, so
    /// invented keys cannot fill the table; they still count against the address.
    /// </summary>
    public FailedAuthRecorded RecordFailure(string? knownAppKey, string address)
    {
        var settings = options.CurrentValue.FailedAuth;
        var now = time.GetUtcNow();
        var blocked = _byAddress.Add(address, settings.PerAddress, settings.Window, settings.MaxTracked, now);
        (int, TimeSpan)? burst = null;
        if (knownAppKey is not null)
        {
            blocked |= _byAddressAndKey.Add(Pair(address, knownAppKey), settings.PerAddressAndKey, settings.Window, settings.MaxTracked, now);
            if (_byKey.Add(knownAppKey, settings.PerAppKey, settings.Window, settings.MaxTracked, now))
            {
                burst = (settings.PerAppKey, settings.Window);
            }
        }
        return new FailedAuthRecorded(blocked, burst);
    }

    // A newline is in no address and no app key: the pair cannot be confused with another.
    private static string Pair(string address, string appKey) => address + "\n" + appKey;

    private sealed class Counters
    {
        private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

        public TimeSpan? BlockedFor(string key, int limit, DateTimeOffset now) =>
            _windows.TryGetValue(key, out var w) && w.Count >= limit && now < w.Ends ? w.Ends - now : null;

        /// <returns>True when this addition reached <paramref name="limit"/>.</returns>
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
                    // Full of live entries: an attack from very many addresses. The per-address limits still apply to those tracked.
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
