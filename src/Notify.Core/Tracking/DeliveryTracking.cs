using System.Collections.Concurrent;
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

    /// <summary>Counts a sent delivery: the metric now, the event with the rest of its queue message's (see <see cref="RecordAsync"/>).</summary>
    public void Sent(DeliveryMessage delivery, RequestRecord request, string provider, TrackingBatch batch)
    {
        metrics.Sent(delivery.Channel, provider);
        batch.Add(Event(delivery, request, TrackingEventType.Sent, provider));
    }

    /// <summary>Counts a delivery that joined a digest (<paramref name="carrierId"/> carries it).</summary>
    public void Digested(DeliveryMessage delivery, RequestRecord request, string carrierId, TrackingBatch batch)
    {
        metrics.Digested(delivery.Channel);
        batch.Add(Event(delivery, request, TrackingEventType.Digested, carrierId));
    }

    public async Task DigestedAsync(DeliveryMessage delivery, string carrierId, TrackingBatch batch, CancellationToken cancellationToken)
    {
        if (await requests.GetAsync(delivery.RequestId, cancellationToken) is { } request)
        {
            Digested(delivery, request, carrierId, batch);
        }
    }

    public async Task FailedAsync(DeliveryMessage delivery, string code, TrackingBatch batch, CancellationToken cancellationToken)
    {
        metrics.Failed(delivery.Channel, code);
        if (await requests.GetAsync(delivery.RequestId, cancellationToken) is { } request)
        {
            batch.Add(Event(delivery, request, TrackingEventType.Failed, code));
        }
    }

    /// <summary>
    /// Writes the batch's events in as few transactions as the store can (a queue message's deliveries share a
    /// request, so their events share partitions). The outcome is already in the delivery log, the source of
    /// truth: events that cannot be written are logged, not thrown, because throwing would only make the queue
    /// redeliver a message whose claims then drop it.
    /// </summary>
    public async Task RecordAsync(TrackingBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Drain();
        if (events.Count == 0)
        {
            return;
        }
        try
        {
            await store.RecordAsync(events, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var tracked in events)
            {
                LogCountFailed(logger, e, tracked.Delivery.Id, tracked.Type.ToName());
            }
        }
    }

    private TrackedEvent Event(DeliveryMessage delivery, RequestRecord request, TrackingEventType type, string detail) =>
        new(delivery.Key, request.Template, DateOnly.FromDateTime(request.CreatedAt.UtcDateTime), delivery.Channel, type, time.GetUtcNow(), "worker", detail);

    [LoggerMessage(EventId = 7010, EventName = "TrackingCountFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the {EventType} event could not be counted; the rates will miss it")]
    private static partial void LogCountFailed(ILogger logger, Exception exception, string deliveryId, string eventType);
}

/// <summary>The sent and failed events of one queue message's deliveries, collected while they are handled.</summary>
public sealed class TrackingBatch
{
    private readonly ConcurrentQueue<TrackedEvent> _events = new();

    internal void Add(TrackedEvent tracked) => _events.Enqueue(tracked);

    internal IReadOnlyList<TrackedEvent> Drain()
    {
        var events = new List<TrackedEvent>();
        while (_events.TryDequeue(out var tracked))
        {
            events.Add(tracked);
        }
        return events;
    }
}
