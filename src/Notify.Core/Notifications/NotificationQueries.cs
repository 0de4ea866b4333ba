namespace Notify.Core.Notifications;

/// <summary>Reads deliveries for the app that sent them; another app's deliveries do not exist for it.</summary>
public sealed class NotificationQueries(IDeliveryLog log)
{
    public async Task<DeliveryView?> GetAsync(string appKey, string id, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(id, out var key))
        {
            return null;
        }
        var record = await log.GetAsync(key, cancellationToken);
        return record is null || record.AppKey != appKey ? null : DeliveryView.From(record);
    }

    public async Task<DeliveryListView?> ListByEventAsync(string appKey, string eventId, CancellationToken cancellationToken)
    {
        if (!Limits.EventId().IsMatch(eventId))
        {
            return null;
        }
        var requestId = RequestIds.For(appKey, eventId);
        var deliveries = await log.ListAsync(requestId, cancellationToken);
        return new DeliveryListView(eventId, [.. deliveries.Where(d => d.AppKey == appKey).OrderBy(d => d.Key.Seq).Select(DeliveryView.From)]);
    }
}
