using Microsoft.Extensions.Logging;
using Notify.Core.Delivery;
using Notify.Core.Monitoring;

namespace Notify.Core.Tracking;

/// <summary>
/// What the delivery worker reports, in one place so the worker stays a list of steps: the provider call's
/// latency, the post-render step for e-mail (tracking links), and the sent/failed events the rates count.
/// </summary>
public sealed partial class DeliveryTracking(
    NotifyMetrics metrics,
    EmailTracking email,
    ITrackingStore store,
    RequestCache requests,
    TimeProvider time,
    ILogger<DeliveryTracking> logger)
{
    /// <summary>The post-render step: e-mail gets its open pixel and click links; other channels pass through.</summary>
    public OutgoingMessage Decorate(OutgoingMessage message) => email.Apply(message);

    /// <summary>Calls the provider and records how long it took.</summary>
    public async Task<DeliveryOutcome> SendTimedAsync(IDeliveryProvider provider, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = await provider.SendAsync(message, cancellationToken);
        metrics.ProviderCall(provider.Name, message.Channel, outcome, time.GetElapsedTime(started));
        return outcome;
    }

    public async Task SentAsync(DeliveryMessage delivery, RequestRecord request, string provider, CancellationToken cancellationToken)
    {
        metrics.Sent(delivery.Channel, provider);
        await CountAsync(delivery, request, TrackingEventType.Sent, provider, cancellationToken);
    }

    public async Task FailedAsync(DeliveryMessage delivery, string code, CancellationToken cancellationToken)
    {
        metrics.Failed(delivery.Channel, code);
        if (await requests.GetAsync(delivery.RequestId, cancellationToken) is { } request)
        {
            await CountAsync(delivery, request, TrackingEventType.Failed, code, cancellationToken);
        }
    }

    /// <summary>
    /// The outcome is already in the delivery log, the source of truth: a counter that cannot be written is
    /// logged, not thrown, because throwing would only make the queue redeliver a message the claim then drops.
    /// </summary>
    private async Task CountAsync(DeliveryMessage delivery, RequestRecord request, TrackingEventType type, string detail, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(request.CreatedAt.UtcDateTime);
        try
        {
            await store.RecordAsync([new TrackedEvent(delivery.Key, request.Template, day, delivery.Channel, type, time.GetUtcNow(), "worker", detail)], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCountFailed(logger, e, delivery.Key.Id, type.ToName());
        }
    }

    [LoggerMessage(EventId = 7010, EventName = "TrackingCountFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the {EventType} event could not be counted; the rates will miss it")]
    private static partial void LogCountFailed(ILogger logger, Exception exception, string deliveryId, string eventType);
}
