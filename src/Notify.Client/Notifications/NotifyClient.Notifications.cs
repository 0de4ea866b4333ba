namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>
    /// Sends a notification: 202 with new deliveries, or (same eventId and body) the original ones with
    /// <see cref="SendNotificationResult.Duplicate"/>. Retried on timeouts, 5xx, 429 and the in-progress 409 with
    /// the same eventId, so it is never sent twice; without an eventId the client makes one for all attempts.
    /// </summary>
    /// <exception cref="NotifyRequestException">400 with every invalid field; 409 when the eventId was used for another notification.</exception>
    public virtual Task<SendNotificationResult> SendNotificationAsync(SendNotificationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var withId = request.EventId is null ? request with { EventId = NewEventId() } : request;
        return SendAsync<SendNotificationResult>(NotifyOperations.SendNotification, null, null, withId, cancellationToken);
    }

    /// <summary>One delivery of this app with its history (404 for an unknown id or another app's).</summary>
    public virtual Task<Delivery> GetNotificationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<Delivery>(NotifyOperations.GetNotification, Values(("id", id)), null, null, cancellationToken);

    /// <summary>The deliveries of one event of this app.</summary>
    public virtual NotifyPageable<Delivery> ListNotificationsAsync(string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        // The service answers an event's deliveries in one page today; the pageable follows a token once it sends one.
        return NotifyPageable<Delivery>.FromPages(async (_, ct) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ct);
            var list = await SendAsync<DeliveryList>(NotifyOperations.ListNotifications, null, Values(("eventId", eventId)), null, linked.Token).ConfigureAwait(false);
            return new NotifyPage<Delivery>(list.Deliveries, null);
        });
    }

    /// <summary>Cancels one delivery if it has not started; what went out is reported with its status. Safe to repeat.</summary>
    public virtual Task<CancelResult> CancelNotificationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<CancelResult>(NotifyOperations.CancelNotification, Values(("id", id)), null, null, cancellationToken);

    /// <summary>Cancels every delivery of one event of this app that has not started. Safe to repeat.</summary>
    public virtual Task<CancelResult> CancelEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        return SendAsync<CancelResult>(NotifyOperations.CancelEvent, null, Values(("eventId", eventId)), null, cancellationToken);
    }

    /// <summary>Reports an engagement or outcome of a delivery (such as a conversion); a repeat is answered as a duplicate.</summary>
    public virtual Task<AppEventResult> PostEventAsync(AppEvent appEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(appEvent);
        return SendAsync<AppEventResult>(NotifyOperations.PostEvent, null, null, appEvent, cancellationToken);
    }

    private static string NewEventId() => "c-" + Guid.NewGuid().ToString("N");
}
