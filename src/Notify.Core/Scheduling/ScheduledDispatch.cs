namespace Notify.Core.Scheduling;

/// <summary>
/// Puts logged <c>scheduled</c> deliveries where they wait: due within <see cref="SchedulingOptions.QueueReach"/>,
/// on their queue at once, hidden until due (one message per due time, channel and batch); further ahead, in the
/// schedule table under their due time, for <see cref="ScheduleMover"/>. Never through the fast lane: nothing here
/// is sent before it is due.
/// </summary>
public sealed partial class ScheduledDispatch(
    IDeliveryQueue queue,
    IScheduleTable table,
    TimeProvider time,
    IOptions<SchedulingOptions> scheduling,
    IOptions<NotifyOptions> options,
    ILogger<ScheduledDispatch> logger)
{
    public Task PlaceAsync(IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken) =>
        PlaceMessagesAsync(
            [.. deliveries.Where(d => d.Status == DeliveryStatus.Scheduled && d.NotBefore is not null).Select(d => DeliveryMessage.For(d, d.Attempts + 1))],
            cancellationToken);

    /// <summary>Messages of scheduled deliveries, each carrying its <see cref="DeliveryMessage.NotBefore"/>.</summary>
    public async Task PlaceMessagesAsync(IReadOnlyList<DeliveryMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        var reach = scheduling.Value.QueueReach;
        var far = new List<WaitingMessage>();
        var near = new List<Task>();
        foreach (var group in messages.GroupBy(m => m.NotBefore!.Value))
        {
            var batches = DeliveryBatch.Pack(group, options.Value.Delivery.DeliveriesPerMessage);
            if (group.Key - now <= reach)
            {
                near.Add(queue.EnqueueAsync(batches, group.Key - now, cancellationToken));
            }
            else
            {
                far.AddRange(batches.Select(b => new WaitingMessage(group.Key, b)));
            }
        }
        await Task.WhenAll(near);
        if (far.Count > 0)
        {
            await table.AddAsync(far, cancellationToken);
        }
        LogPlaced(logger, messages.Count, far.Sum(f => f.Batch.Deliveries.Count));
    }

    [LoggerMessage(EventId = 14502, EventName = "ScheduledPlaced", Level = LogLevel.Debug, Message = "{Count} scheduled deliveries placed, {Far} of them in the schedule table")]
    private static partial void LogPlaced(ILogger logger, int count, int far);
}
