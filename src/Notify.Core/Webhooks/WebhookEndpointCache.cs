using System.Collections.Concurrent;

namespace Notify.Core.Webhooks;

/// <summary>
/// Each app's endpoints, read once per <see cref="WebhookOptions.EndpointCacheDuration"/> per instance, so matching
/// a delivery event to endpoints costs no storage read (an app without endpoints included); changes made through
/// this instance apply at once, other instances' within the cache duration.
/// </summary>
public sealed class WebhookEndpointCache(IWebhookEndpointStore store, TimeProvider time, IOptionsMonitor<WebhookOptions> options)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset ReadAt, IReadOnlyList<WebhookEndpoint> Endpoints)> _byApp = new(StringComparer.Ordinal);
    private AddressRules? _rules;
    private List<string>? _rulesSource;

    /// <summary>The SSRF rule with this configuration's exemptions.</summary>
    public AddressRules Rules
    {
        get
        {
            var source = options.CurrentValue.AllowedNetworks;
            if (_rules is null || !ReferenceEquals(source, _rulesSource))
            {
                _rules = new AddressRules(source);
                _rulesSource = source;
            }
            return _rules;
        }
    }

    public async ValueTask<IReadOnlyList<WebhookEndpoint>> ForAppAsync(string appKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_byApp.TryGetValue(appKey, out var cached) && now - cached.ReadAt < options.CurrentValue.EndpointCacheDuration)
        {
            return cached.Endpoints;
        }
        var endpoints = await store.ListAsync(appKey, cancellationToken);
        _byApp[appKey] = (now, endpoints);
        return endpoints;
    }

    public void Invalidate(string appKey) => _byApp.TryRemove(appKey, out _);
}
