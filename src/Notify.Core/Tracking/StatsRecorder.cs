using Notify.Core.Events;

namespace Notify.Core.Tracking;

/// <summary>
/// The stats' events from the pipeline, a subscriber of the delivery events: <c>sent</c> (by provider),
/// <c>failed</c> (by code), <c>digested</c> (by carrier), <c>cancelled</c> (by the cancelling app) and
/// <c>scheduled</c> (a delivery that waits on its own: logged scheduled, or a digest's carrier when its window
/// closes). One store write per published batch, whose events share a request's partitions. Receipts and engagement
/// events are recorded by <see cref="TrackingService"/> itself: the store's idempotency decides whether they are new.
/// The delivery log is the truth: events that cannot be written are logged, not thrown.
/// </summary>
public sealed partial class StatsRecorder(ITrackingStore store, ILogger<StatsRecorder> logger) : IDeliveryEventSubscriber
{
    public string Name => "stats";

    public bool Durable => false;

    public async ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        var tracked = new List<TrackedEvent>();
        foreach (var e in events)
        {
            if (Tracked(e) is { } t)
            {
                tracked.Add(t);
            }
        }
        if (tracked.Count == 0)
        {
            return;
        }
        try
        {
            await store.RecordAsync(tracked, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var t in tracked)
            {
                LogCountFailed(logger, e, t.Delivery.Id, t.Type.ToName());
            }
        }
    }

    /// <summary>The stats event a delivery event counts as, if any.</summary>
    public static TrackedEvent? Tracked(DeliveryEvent e)
    {
        if (!e.IsStatusChange)
        {
            return null;
        }
        var (type, source, detail) = e.Status switch
        {
            DeliveryStatus.Sent => (TrackingEventType.Sent, "worker", e.Provider),
            DeliveryStatus.Failed => (TrackingEventType.Failed, "worker", e.ErrorClass),
            DeliveryStatus.Digested => (TrackingEventType.Digested, "worker", e.Detail),
            DeliveryStatus.Cancelled => (TrackingEventType.Cancelled, "cancel", e.Actor),
            // Logged waiting; a digest's deliveries are counted when the carrier's window closes, the joiners never.
            DeliveryStatus.Scheduled when e.From is null && !e.InDigest => (TrackingEventType.Scheduled, "ingest", e.Detail),
            DeliveryStatus.Sending when e.From == DeliveryStatus.Scheduled && e.InDigest => (TrackingEventType.Scheduled, "ingest", "digest"),
            _ => ((TrackingEventType?)null, "", (string?)null),
        };
        return type is { } t
            ? new TrackedEvent(e.Key, e.Template, DateOnly.FromDateTime(e.RequestCreatedAt.UtcDateTime), e.Channel, t, e.At, source, detail)
            : null;
    }

    [LoggerMessage(EventId = 7010, EventName = "TrackingCountFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the {EventType} event could not be counted; the rates will miss it")]
    private static partial void LogCountFailed(ILogger logger, Exception exception, string deliveryId, string eventType);
}
