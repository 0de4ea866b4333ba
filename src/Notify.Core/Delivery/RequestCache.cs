using Microsoft.Extensions.Caching.Memory;

namespace Notify.Core.Delivery;

/// <summary>
/// Request headers are immutable once logged, and a worker's batch mostly comes from a few requests:
/// caching them saves one read per delivery.
/// </summary>
public sealed class RequestCache(IDeliveryLog log) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public async Task<RequestRecord?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(requestId, out RequestRecord? cached))
        {
            return cached;
        }
        var request = await log.GetRequestAsync(requestId, cancellationToken);
        if (request is { State: RequestState.Logged })
        {
            _cache.Set(requestId, request, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        }
        return request;
    }

    public void Dispose() => _cache.Dispose();
}
