using Notify.Core.Apps;
using Notify.Core.Notifications;
using Notify.Core.Tracking;

namespace Notify.Core.Activity;

/// <summary>
/// The answer to <c>GET /api/v1/notifications/{id}</c>: the delivery as <see cref="ActivityService.GetAsync"/> finds it,
/// with what was reported about it after it left (receipts, opens, clicks, conversions, complaints, unsubscribes) from
/// the event log. Only this single-delivery answer pays for that read (one partition range, run beside the log's point
/// reads); the Activity list, whose items are the same views, does not.
/// </summary>
public sealed class DeliveryDetails(ActivityService activity, ITrackingStore tracking)
{
    /// <summary>
    /// The worker's own events (sent, failed, digested) are left out: the history already holds each as a status with
    /// its provider or reason, and listing them twice would only repeat it.
    /// </summary>
    private static readonly HashSet<TrackingEventType> WorkerEvents = [TrackingEventType.Sent, TrackingEventType.Failed, TrackingEventType.Digested];

    public async Task<DeliveryView?> GetAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(id, out var key))
        {
            return null;
        }
        var viewTask = activity.GetAsync(caller, id, cancellationToken);
        var eventsTask = tracking.ListForDeliveryAsync(key, cancellationToken);
        var (view, events) = (await viewTask, await eventsTask);
        return view is null ? null : view with { Events = Reported(events) };
    }

    /// <summary>The events after the hand-off to the provider, oldest first, as the API shows them.</summary>
    public static IReadOnlyList<DeliveryEventView> Reported(IEnumerable<TrackedEvent> events) =>
        [.. events.Where(e => !WorkerEvents.Contains(e.Type)).OrderBy(e => e.At).Select(e => new DeliveryEventView(e.Type.ToName(), e.At, e.Source, e.Detail))];
}
