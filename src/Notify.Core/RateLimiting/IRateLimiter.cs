namespace Notify.Core.RateLimiting;

/// <summary>
/// The seed's per-user send-rate limit: at most N notifications per user and channel in a fixed one-hour
/// window. Units are taken with conditional writes, so concurrent ingests cannot exceed a limit.
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Takes one unit for each (user, channel) in <paramref name="requests"/> whose counter is under its limit, for
    /// many users at once (one ingest's recipients), and returns the channels each user was granted. A user absent
    /// from the answer was granted nothing.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlySet<Channel>>> AcquireAsync(
        IReadOnlyList<RateRequest> requests,
        DateTimeOffset now,
        CancellationToken cancellationToken);
}

/// <summary>One user's channels to count, with the limit that applies to each (it depends on the sending app).</summary>
public sealed record RateRequest(string UserId, IReadOnlyDictionary<Channel, int> Limits);

public static class RateWindow
{
    /// <summary>The fixed window <paramref name="now"/> falls in: the UTC hour, e.g. <c>2026112514</c>.</summary>
    public static string For(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}
