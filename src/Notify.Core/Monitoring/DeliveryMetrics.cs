using Notify.Core.Events;
using Notify.Core.Tracking;

namespace Notify.Core.Monitoring;

/// <summary>
/// The pipeline's status instruments of <see cref="NotifyMetrics"/> (accepted, skipped, scheduled, cancelled, sent,
/// failed, dead-lettered, digested, tracking events), a subscriber of the delivery events: the one caller of them.
/// </summary>
public sealed class DeliveryMetrics(NotifyMetrics metrics) : IDeliveryEventSubscriber
{
    public string Name => "metrics";

    public bool Durable => false;

    public ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            Count(e);
        }
        return ValueTask.CompletedTask;
    }

    private void Count(DeliveryEvent e)
    {
        if (DeliveryEvents.IsReceipt(e.Type))
        {
            if (TrackingEventTypes.TryParse(e.Type, out var type))
            {
                metrics.TrackingEvent(type, e.Channel, e.Source);
            }
            return;
        }
        if (e.From is null)
        {
            metrics.Planned(e.Status, e.Channel, e.Reason);
            return;
        }
        switch (e.Status)
        {
            case DeliveryStatus.Scheduled:
                metrics.Scheduled(e.Channel, e.Reason);
                break;
            case DeliveryStatus.Skipped:
                metrics.SkippedWhenDue(e.Channel, e.Reason ?? "-");
                break;
            case DeliveryStatus.Cancelled:
                metrics.Cancelled(e.Channel);
                break;
            case DeliveryStatus.Sent:
                metrics.Sent(e.Channel, e.Provider ?? "-");
                break;
            case DeliveryStatus.Failed:
                metrics.Failed(e.Channel, e.ErrorClass ?? "-");
                break;
            case DeliveryStatus.Digested:
                metrics.Digested(e.Channel);
                break;
            case DeliveryStatus.DeadLettered:
                metrics.DeadLettered(e.Channel);
                break;
        }
    }
}
