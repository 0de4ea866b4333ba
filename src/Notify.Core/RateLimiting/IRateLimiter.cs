using Notify.Core.Users;

namespace Notify.Core.RateLimiting;

/// <summary>
/// The seed's per-user send-rate limit: at most N notifications per user and channel in a fixed one-hour
/// window. Counters are written with conditional updates, so concurrent ingests cannot exceed a limit.
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Takes one unit for each channel in <paramref name="limits"/> that is under its limit and returns those
    /// channels. <paramref name="known"/> are the counters read with the user (saves a read when current).
    /// </summary>
    Task<IReadOnlySet<Channel>> AcquireAsync(
        string userId,
        IReadOnlyDictionary<Channel, int> limits,
        IReadOnlyList<RateCounter> known,
        DateTimeOffset now,
        CancellationToken cancellationToken);
}

public static class RateWindow
{
    /// <summary>The fixed window <paramref name="now"/> falls in: the UTC hour, e.g. <c>2026112514</c>.</summary>
    public static string For(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}
