namespace Notify.Core.Events;

/// <summary>
/// One thing that happened to one delivery: a status change (queued, scheduled, sending, retrying, sent, failed,
/// dead-lettered, skipped, cancelled, digested) or a receipt or engagement event after sending (delivered, bounced,
/// opened, clicked, converted, unsubscribed, spam report). Produced in one place, <see cref="IDeliveryEventPublisher"/>,
/// from the delivery log's successful writes; the status counters, the Activity index, stats, metrics and outbound
/// webhooks are its subscribers. Carries no contact address, device token, rendered content or request data.
/// </summary>
/// <param name="Id">Stable for this event: the same change reported twice (a replay, a recovery) has the same id, so a
/// subscriber or a webhook receiver can deduplicate on it.</param>
/// <param name="Type">The API's status or event name: <c>queued</c>, <c>sent</c>, <c>spam-report</c>, ...</param>
/// <param name="From">The status the delivery left, where the event is a status change the log recorded.</param>
/// <param name="Status">The delivery's status after the event.</param>
/// <param name="RequestCreatedAt">When the delivery's request was accepted: the cohort the counters and stats use.</param>
public sealed record DeliveryEvent(
    string Id,
    string Type,
    DeliveryKey Key,
    string AppKey,
    string EventId,
    string UserId,
    Channel Channel,
    string Template,
    DeliveryStatus? From,
    DeliveryStatus Status,
    int Attempt,
    DateTimeOffset At,
    DateTimeOffset RequestCreatedAt)
{
    public string DeliveryId => Key.Id;

    public string? Reason { get; init; }

    /// <summary>The outcome class of a failed attempt (transient, permanent, invalid-recipient, ...).</summary>
    public string? ErrorClass { get; init; }

    public string? Provider { get; init; }

    public string? ProviderMessageId { get; init; }

    /// <summary>The note the log keeps with the change (an error code, the carrying digest delivery, a canceller).</summary>
    public string? Detail { get; init; }

    /// <summary>Where the event comes from: <c>ingest</c>, <c>worker</c>, <c>cancel</c>, <c>dead-letter</c>, or the receipt's source (a provider, <c>pixel</c>, <c>app</c>).</summary>
    public string Source { get; init; } = "worker";

    /// <summary>The app that asked for the change (a cancel) when it was not the delivery's own pipeline.</summary>
    public string? Actor { get; init; }

    /// <summary>For a scheduled delivery, when it is due.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The delivery's request is a digest request (its deliveries wait for a window, one carries the rest).</summary>
    public bool InDigest { get; init; }

    /// <summary>
    /// When a durable copy of this event was kept in the <see cref="IDeliveryEventOutbox"/> (before its status write),
    /// or null when no durable subscriber wanted it. The copy is removed once the durable subscribers have it.
    /// </summary>
    public DateTimeOffset? KeptAt { get; init; }

    /// <summary>A status change the log recorded (not a receipt that left the status where it was).</summary>
    public bool IsStatusChange => From is null || From != Status;
}

/// <summary>The one place delivery events are produced. Nothing else updates counters, index, stats or metrics.</summary>
public interface IDeliveryEventPublisher
{
    /// <summary>
    /// Before the status write: keeps a durable copy (<see cref="IDeliveryEventOutbox"/>) of each event some durable
    /// subscriber wants, and answers the events with <see cref="DeliveryEvent.KeptAt"/> set on those. Publish what this
    /// answers once the write succeeded; <see cref="DiscardAsync"/> what it answers for a write that failed.
    /// </summary>
    ValueTask<IReadOnlyList<DeliveryEvent>> KeepAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);

    /// <summary>Removes the kept copies of events whose status write did not happen.</summary>
    ValueTask DiscardAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);

    ValueTask PublishAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// Receives every delivery event the publisher produces, in the order one delivery's events were produced. A
/// subscriber that must see an event even when the host dies right after the status write (webhooks, counters) is
/// <see cref="Durable"/>: the publisher recovers its events (an outbox row written with the status change, or a rebuild
/// from the log by the sweeper) and may hand it an event again, with the same <see cref="DeliveryEvent.Id"/>.
/// </summary>
public interface IDeliveryEventSubscriber
{
    /// <summary>A short stable name, used in logs and in the outbox's per-subscriber progress.</summary>
    string Name { get; }

    bool Durable { get; }

    ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);
}
