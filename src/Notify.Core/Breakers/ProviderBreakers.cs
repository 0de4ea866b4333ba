using System.Collections.Concurrent;
using Notify.Core.Monitoring;

namespace Notify.Core.Breakers;

/// <summary>Where a wave's deliveries go: those to claim (each with its provider), and those that wait without a claim.</summary>
public sealed class BreakerRoute
{
    private readonly Dictionary<DeliveryKey, (string Provider, bool Probe)> _routes = [];

    public List<DeliveryMessage> Go { get; } = [];

    /// <summary>No provider of the delivery's may take it now: back to the queue after the delay, no attempt spent.</summary>
    public List<(DeliveryMessage Delivery, TimeSpan Delay)> Waiting { get; } = [];

    public void Send(DeliveryMessage delivery, string provider, bool probe)
    {
        Go.Add(delivery);
        _routes[delivery.Key] = (provider, probe);
    }

    /// <summary>The provider the breakers chose for the delivery; null when it was not routed (breakers off).</summary>
    public string? ProviderFor(DeliveryKey key) => _routes.TryGetValue(key, out var route) ? route.Provider : null;

    public bool IsProbe(DeliveryKey key) => _routes.TryGetValue(key, out var route) && route.Probe;

    /// <summary>Everything goes as it is: breakers off.</summary>
    public static BreakerRoute All(IReadOnlyList<DeliveryMessage> deliveries)
    {
        var route = new BreakerRoute();
        route.Go.AddRange(deliveries);
        return route;
    }
}

/// <summary>
/// The circuit breakers of all providers (one each, made on first use) and the routing the worker asks for before it
/// claims a wave: a delivery whose provider is open goes to the channel's next provider that is not (when its last
/// outcome allows a move, <see cref="BreakerRules.Candidates"/>), or waits in the queue without spending an attempt.
/// The Outbox (local sink) has no breaker.
/// </summary>
public sealed class ProviderBreakers(
    IBreakerStateStore store,
    ProviderRouter router,
    TimeProvider time,
    IJitter jitter,
    IOptions<BreakerOptions> options,
    NotifyMetrics metrics,
    IAlertSink alerts,
    ILogger<ProviderBreaker> logger)
{
    private readonly ConcurrentDictionary<string, ProviderBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    public bool Enabled => options.Value.Enabled;

    public ProviderBreaker For(string provider, Channel channel) =>
        _breakers.GetOrAdd(provider, p => new ProviderBreaker(p, channel, store, time, options.Value, metrics, alerts, logger, _instance));

    public async Task<BreakerRoute> RouteAsync(IReadOnlyList<DeliveryMessage> deliveries, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return BreakerRoute.All(deliveries);
        }
        var route = new BreakerRoute();
        // One look per provider per wave; a probe is handed to one delivery, the rest of the wave waits for it.
        var gates = new Dictionary<string, Gate>(StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            if (delivery.Channel == Channel.Inbox)
            {
                // The feed is Notify's own table: no provider, no breaker.
                route.Send(delivery, Inbox.InboxRules.FeedName, probe: false);
                continue;
            }
            var order = router.Order(delivery.Channel, delivery.Platform);
            var current = order.FirstOrDefault(p => p.Name == delivery.Provider) ?? order[0];
            var names = BreakerRules.Candidates([.. order.Select(p => p.Name)], current.Name, delivery.Provider is null || delivery.MayFailOver);
            DateTimeOffset? until = null;
            var routed = false;
            foreach (var name in names)
            {
                if (name == ProviderRouter.OutboxName)
                {
                    route.Send(delivery, name, probe: false);
                    routed = true;
                    break;
                }
                if (!gates.TryGetValue(name, out var gate))
                {
                    gate = await For(name, delivery.Channel).CheckAsync(cancellationToken);
                    gates[name] = gate;
                }
                if (gate is Gate.Wait wait)
                {
                    until = until is null || wait.Until < until ? wait.Until : until;
                    continue;
                }
                if (gate is Gate.Probe)
                {
                    gates[name] = new Gate.Wait(time.GetUtcNow() + options.Value.ProbeLease);
                }
                route.Send(delivery, name, gate is Gate.Probe);
                routed = true;
                break;
            }
            if (!routed)
            {
                var now = time.GetUtcNow();
                route.Waiting.Add((delivery, BreakerRules.WaitDelay(until ?? now, now, options.Value, jitter)));
            }
        }
        return route;
    }

    /// <summary>One send through the provider's breaker (straight through when breakers are off, and for the Outbox).</summary>
    public Task<DeliveryOutcome> SendAsync(IDeliveryProvider provider, Channel channel, bool probe, Func<CancellationToken, Task<DeliveryOutcome>> send, CancellationToken cancellationToken) =>
        !Enabled || provider.Name == ProviderRouter.OutboxName
            ? send(cancellationToken)
            : For(provider.Name, channel).SendAsync(send, probe, cancellationToken);
}
