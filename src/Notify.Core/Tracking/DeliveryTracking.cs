using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Notify.Core.Delivery;
using Notify.Core.Monitoring;

namespace Notify.Core.Tracking;

/// <summary>
/// What the delivery worker reports, in one place so the worker stays a list of steps: the provider call's
/// latency, the post-render step for e-mail (tracking links), and the sent/failed events the rates count; and the
/// events from before a send that the stats count beside them (scheduled at ingest, digested, cancelled).
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

    /// <summary>
    /// Counts the deliveries an ingest left waiting (<c>scheduled</c> with a <c>notBefore</c>), in one write of the
    /// batch: a request with none costs nothing. The detail says why it waits: the reason it was logged with
    /// (<c>quiet-hours</c>), else <c>digest</c> or <c>send-at</c>. A delivery deferred again by quiet hours when due
    /// is not counted again: it was counted here, and the store would only refuse the repeat at a cost.
    /// </summary>
    public async Task ScheduledAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        var batch = new TrackingBatch();
        foreach (var delivery in deliveries.Where(d => d.Status == DeliveryStatus.Scheduled && d.NotBefore is not null))
        {
            batch.Add(Event(delivery.Key, delivery.Channel, request, TrackingEventType.Scheduled, "ingest", delivery.Reason ?? (request.Digest is null ? "send-at" : "digest")));
        }
        await RecordAsync(batch, cancellationToken);
    }

    /// <summary>Counts the deliveries a cancel moved to <c>cancelled</c> (its conditional writes that succeeded), by the caller's app.</summary>
    public async Task CancelledAsync(string requestId, IReadOnlyList<DeliveryRecord> cancelled, string callerAppKey, CancellationToken cancellationToken)
    {
        if (cancelled.Count == 0 || await requests.GetAsync(requestId, cancellationToken) is not { } request)
        {
            return;
        }
        var batch = new TrackingBatch();
        foreach (var delivery in cancelled)
        {
            batch.Add(Event(delivery.Key, delivery.Channel, request, TrackingEventType.Cancelled, "cancel", callerAppKey));
        }
        await RecordAsync(batch, cancellationToken);
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
        Event(delivery.Key, delivery.Channel, request, type, "worker", detail);

    private TrackedEvent Event(DeliveryKey delivery, Channel channel, RequestRecord request, TrackingEventType type, string source, string detail) =>
        new(delivery, request.Template, DateOnly.FromDateTime(request.CreatedAt.UtcDateTime), channel, type, time.GetUtcNow(), source, detail);

    [LoggerMessage(EventId = 7010, EventName = "TrackingCountFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the {EventType} event could not be counted; the rates will miss it")]
    private static partial void LogCountFailed(ILogger logger, Exception exception, string deliveryId, string eventType);
}

/// <summary>Events collected while a queue message's deliveries (or an ingest's, a cancel's) are handled, written together.</summary>
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
