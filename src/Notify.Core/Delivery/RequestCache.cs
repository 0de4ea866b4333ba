using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Notify.Core.Delivery;

/// <summary>
/// Request headers are immutable once logged, and a worker's batch mostly comes from a few requests:
/// caching them saves one read per delivery. Concurrent misses for one request (a batch's deliveries start
/// together) share a single read.
/// </summary>
public sealed class RequestCache(IDeliveryLog log) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly ConcurrentDictionary<string, Lazy<Task<RequestRecord?>>> _reading = new(StringComparer.Ordinal);

    public async Task<RequestRecord?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(requestId, out RequestRecord? cached))
        {
            return cached;
        }
        var read = _reading.GetOrAdd(requestId, id => new Lazy<Task<RequestRecord?>>(() => ReadAsync(id)));
        try
        {
            // The shared read is not cancelled by one caller's token; each caller stops waiting on its own.
            return await read.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _reading.TryRemove(new KeyValuePair<string, Lazy<Task<RequestRecord?>>>(requestId, read));
        }
    }

    private async Task<RequestRecord?> ReadAsync(string requestId)
    {
        var request = await log.GetRequestAsync(requestId, CancellationToken.None);
        if (request is { State: RequestState.Logged })
        {
            _cache.Set(requestId, request, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        }
        return request;
    }

    public void Dispose() => _cache.Dispose();
}
