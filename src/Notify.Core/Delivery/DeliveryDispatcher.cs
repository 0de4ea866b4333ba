using Notify.Core.Breakers;
using Notify.Core.Tracking;

namespace Notify.Core.Delivery;

/// <summary>
/// Everything between a claim and its outcome, for one delivery: the request header, the time-to-live, the render,
/// the provider choice (the channel's order, a failover's next provider, the breakers' route) and the timed send
/// through the provider's breaker. Never throws for a delivery: an exception is handed back as the result's error.
/// </summary>
public sealed class DeliveryDispatcher(
    RequestCache requests,
    DeliveryRenderer renderer,
    ProviderRouter providers,
    ProviderBreakers breakers,
    DeliveryTracking tracking,
    Inbox.InboxFeedWriter inbox,
    TimeProvider time,
    IOptions<NotifyOptions> options)
{
    /// <summary>Asks the breakers before the claim, which is what spends an attempt: which deliveries may go, to which provider.</summary>
    public Task<BreakerRoute> RouteAsync(IReadOnlyList<DeliveryMessage> wave, CancellationToken cancellationToken) =>
        breakers.RouteAsync(wave, cancellationToken);

    /// <summary>The claim's send: a result, or the exception the worker threw on it.</summary>
    public async Task<(Claim Claim, SendResult? Result, Exception? Error)> SendAsync(Claim claim, BreakerRoute route, CancellationToken cancellationToken)
    {
        try
        {
            return (claim, await TrySendAsync(claim, route, cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (claim, null, e);
        }
    }

    private async Task<SendResult> TrySendAsync(Claim claim, BreakerRoute route, CancellationToken cancellationToken)
    {
        var delivery = claim.Delivery;
        var request = await requests.GetAsync(delivery.RequestId, cancellationToken);
        if (request is null)
        {
            return new SendResult.NotAttempted(claim, null, "request-missing", "The request header is gone.");
        }
        if (time.GetUtcNow() - Scheduling.ScheduleRules.LiveSince(delivery, request) > options.Value.Delivery.TimeToLive.For(delivery.Channel))
        {
            return new SendResult.NotAttempted(claim, request, "expired", $"Older than the {delivery.Channel.ToName()} time-to-live.");
        }
        switch (await renderer.RenderAsync(delivery, request, cancellationToken))
        {
            case RenderResult.Failed failed:
                return new SendResult.NotAttempted(claim, request, "render-failed", failed.Reason);
            case RenderResult.Digested digested:
                return new SendResult.Digested(claim, digested.CarrierId);
            case RenderResult.Rendered rendered when delivery.Channel == Channel.Inbox:
                // No provider: delivering is writing the feed item (docs/inbox.md).
                var itemId = await inbox.WriteAsync(delivery, request, rendered.Message.Content, cancellationToken);
                return new SendResult.Attempted(claim, request, Inbox.InboxRules.FeedName, new DeliveryOutcome.Sent(itemId)) { Order = [Inbox.InboxRules.FeedName] };
            case RenderResult.Rendered rendered:
                // One provider call per claimed attempt: a failover is the next attempt, so the lease and the crash
                // window stay those of one send.
                var order = providers.Order(delivery.Channel, delivery.Platform);
                var name = route.ProviderFor(delivery.Key) ?? delivery.Provider;
                var provider = order.FirstOrDefault(p => p.Name == name) ?? order[0];
                var outcome = await breakers.SendAsync(provider, delivery.Channel, route.IsProbe(delivery.Key),
                    ct => tracking.SendTimedAsync(provider, rendered.Message, ct), cancellationToken);
                return new SendResult.Attempted(claim, request, provider.Name, outcome) { Order = [.. order.Select(p => p.Name)] };
            default:
                throw new InvalidOperationException("Unknown render result.");
        }
    }
}
