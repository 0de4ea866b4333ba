namespace Notify.Core.Delivery;

/// <summary>Source of randomness for jitter; injected so tests can pin it.</summary>
public interface IJitter
{
    /// <summary>A number in [0, 1).</summary>
    double NextDouble();
}

public sealed class SystemJitter : IJitter
{
    public double NextDouble() => Random.Shared.NextDouble();
}

/// <summary>
/// Exponential backoff with full jitter: attempt n waits a uniform time in [0, min(max, base * 2^(n-1))].
/// A provider's Retry-After wins when it is longer.
/// </summary>
public static class RetryPolicy
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan? retryAfter, IJitter jitter)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(ceiling * jitter.NextDouble());
        return retryAfter is { } after && after > delay ? after : delay;
    }
}
