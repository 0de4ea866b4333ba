using Notify.Core.Events;

namespace Notify.Core.Webhooks;

/// <summary>
/// Outbound webhooks as a subscriber of the delivery event stream: each event of an app is matched to that app's
/// enabled endpoints (type, and the template and channel filters), kept for replay, and queued on
/// <c>notify-webhooks</c>, one message per event and endpoint, for <see cref="WebhookSender"/>. Durable: an event the
/// publisher hands over again (after a crash) is kept and queued again under the same webhook id, so a receiver
/// sees at worst a duplicate it can recognise.
/// </summary>
public sealed class WebhookSubscriber(WebhookEndpointCache endpoints, IWebhookEventStore events, IWebhookQueue queue, TimeProvider time) : IDeliveryEventSubscriber, IDurableInterest
{
    public string Name => "webhooks";

    public bool Durable => true;

    /// <summary>Only an event some enabled endpoint of its app matches is kept: an app without endpoints pays nothing.</summary>
    public async ValueTask<bool> WantsAsync(DeliveryEvent deliveryEvent, CancellationToken cancellationToken)
    {
        var subscribed = await endpoints.ForAppAsync(deliveryEvent.AppKey, cancellationToken);
        var type = WebhookEventTypes.Of(deliveryEvent.Type);
        return subscribed.Any(x => Matches(x, deliveryEvent, type));
    }

    public async ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> deliveryEvents, CancellationToken cancellationToken)
    {
        var kept = new List<KeptWebhookEvent>();
        var messages = new List<WebhookMessage>();
        var now = time.GetUtcNow();
        foreach (var byApp in deliveryEvents.GroupBy(e => e.AppKey, StringComparer.Ordinal))
        {
            var subscribed = await endpoints.ForAppAsync(byApp.Key, cancellationToken);
            if (subscribed.Count == 0)
            {
                continue;
            }
            foreach (var e in byApp)
            {
                var type = WebhookEventTypes.Of(e.Type);
                string? body = null;
                foreach (var endpoint in subscribed.Where(x => Matches(x, e, type)))
                {
                    body ??= WebhookPayload.Of(e);
                    var webhookId = WebhookSignature.WebhookId(e.Id, endpoint.Id);
                    kept.Add(new KeptWebhookEvent(endpoint.Id, webhookId, type, e.At, body, e.UserId));
                    messages.Add(new WebhookMessage(e.AppKey, endpoint.Id, webhookId, type, e.At, body, 1, now));
                }
            }
        }
        if (messages.Count == 0)
        {
            return;
        }
        // Kept before queued: a message on the queue can always be replayed.
        await events.KeepAsync(kept, cancellationToken);
        await queue.EnqueueAsync(messages, TimeSpan.Zero, cancellationToken);
    }

    public static bool Matches(WebhookEndpoint endpoint, DeliveryEvent e, string type) =>
        endpoint.Enabled
        && WebhookEventTypes.Subscribes(endpoint.EventTypes, type)
        && (endpoint.Templates is null || endpoint.Templates.Contains(e.Template, StringComparer.Ordinal))
        && (endpoint.Channels is null || endpoint.Channels.Contains(e.Channel.ToName(), StringComparer.Ordinal));
}
