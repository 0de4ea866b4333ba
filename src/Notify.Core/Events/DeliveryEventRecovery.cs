namespace Notify.Core.Events;

public sealed record EventRecoveryReport(int Examined, int Recovered, int Discarded, int StorageOperations);

/// <summary>
/// The sweeper's step for durable subscribers: the event copies still kept <see cref="SweeperOptions.EventGrace"/> after
/// they were kept are the events whose host died between the status write and the publish (or whose durable subscriber
/// failed). Each is checked against the log (the delivery's history has the status at that attempt: the write happened)
/// and handed to the durable subscribers again under its own id, or discarded (the write never happened). It reads the
/// kept copies by the time they were kept, never the in-flight index, so a receipt days after sending is recovered too.
/// </summary>
public sealed partial class DeliveryEventRecovery(
    IDeliveryEventOutbox outbox,
    IDeliveryLog log,
    DeliveryEventPublisher publisher,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<DeliveryEventRecovery> logger)
{
    /// <summary>How far back a left copy is looked for: past it, a copy is left for good (a sweeper stopped that long is an outage of its own).</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(7);

    /// <summary>Copies handled per run; the rest wait for the next run.</summary>
    public const int MaxPerRun = 500;

    public async Task<EventRecoveryReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var left = await outbox.ListLeftAsync(now - Lookback, now - options.Value.Sweeper.EventGrace, MaxPerRun, cancellationToken);
        var operations = 1;
        var happened = new List<DeliveryEvent>();
        var never = new List<DeliveryEvent>();
        foreach (var byDelivery in left.GroupBy(e => e.Key))
        {
            var record = await log.GetAsync(byDelivery.Key, cancellationToken);
            operations++;
            foreach (var e in byDelivery)
            {
                (Happened(record, e) ? happened : never).Add(e);
            }
        }
        if (happened.Count > 0 && await publisher.RecoverAsync(happened, cancellationToken))
        {
            LogRecovered(logger, happened.Count, happened[0].DeliveryId);
        }
        await publisher.DiscardAsync(never, cancellationToken);
        operations += happened.Count + never.Count > 0 ? 1 : 0;
        return new EventRecoveryReport(left.Count, happened.Count, never.Count, operations);
    }

    /// <summary>The log recorded the event's status at its attempt: the write the event describes happened.</summary>
    public static bool Happened(DeliveryRecord? record, DeliveryEvent e) =>
        record is not null && record.History.Any(h => h.Attempt == e.Attempt && h.Status == e.Status);

    [LoggerMessage(EventId = 16003, EventName = "DeliveryEventsRecovered", Level = LogLevel.Warning, Message = "Handed {Count} left-behind delivery events to the durable subscribers again (first: delivery {DeliveryId})")]
    private static partial void LogRecovered(ILogger logger, int count, string deliveryId);
}
