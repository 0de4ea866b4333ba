using Notify.Core.RateLimiting;

namespace Notify.Testing.Fakes;

/// <summary>The rate limiter in memory: units taken per (user, channel), one window for the whole test.</summary>
public sealed class InMemoryRateLimiter : IRateLimiter
{
    private readonly Dictionary<(string UserId, Channel Channel), int> _taken = [];

    public Task<IReadOnlyDictionary<string, IReadOnlySet<Channel>>> AcquireAsync(IReadOnlyList<RateRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_taken)
        {
            var granted = new Dictionary<string, IReadOnlySet<Channel>>(StringComparer.Ordinal);
            foreach (var request in requests)
            {
                var channels = new HashSet<Channel>();
                foreach (var (channel, limit) in request.Limits)
                {
                    var taken = _taken.GetValueOrDefault((request.UserId, channel));
                    if (taken < limit)
                    {
                        _taken[(request.UserId, channel)] = taken + 1;
                        channels.Add(channel);
                    }
                }
                if (channels.Count > 0)
                {
                    granted[request.UserId] = channels;
                }
            }
            return Task.FromResult<IReadOnlyDictionary<string, IReadOnlySet<Channel>>>(granted);
        }
    }

    /// <summary>Uses up a user's units on a channel, as earlier requests in the window would have.</summary>
    public void Exhaust(string userId, Channel channel)
    {
        lock (_taken)
        {
            _taken[(userId, channel)] = int.MaxValue;
        }
    }
}
