using System.Collections.Concurrent;

namespace Notify.Core.Apps;

/// <summary>
/// Per-app request quota: one token bucket per app key, in memory on this instance. A request takes a token;
/// an empty bucket is a 429 whose <c>Retry-After</c> is when the next token arrives. Buckets exist only for
/// apps that authenticated, so their number is bounded by the app table.
/// </summary>
public sealed class RequestQuota(TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one token; null when allowed, else how long until one is available.</summary>
    public TimeSpan? TryAcquire(string appKey)
    {
        var (rate, burst) = options.CurrentValue.Quota.For(appKey);
        var bucket = _buckets.GetOrAdd(appKey, static (_, b) => new Bucket(b), burst);
        return bucket.TryTake(time.GetTimestamp(), time.TimestampFrequency, rate, burst);
    }

    private sealed class Bucket(int burst)
    {
        private readonly Lock _lock = new();
        private double _tokens = burst;
        private long _last = long.MinValue;

        public TimeSpan? TryTake(long now, long frequency, double rate, int burst)
        {
            lock (_lock)
            {
                if (_last != long.MinValue && now > _last)
                {
                    _tokens = Math.Min(burst, _tokens + (now - _last) / (double)frequency * rate);
                }
                _tokens = Math.Min(_tokens, burst);
                _last = Math.Max(now, _last);
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return null;
                }
                return TimeSpan.FromSeconds((1 - _tokens) / rate);
            }
        }
    }
}
