namespace Notify.Client;

/// <summary>
/// A notification to send: a template, its recipients and its data. Without an <see cref="EventId"/> the client
/// makes one and keeps it across retries, so a retried send is never sent twice.
/// </summary>
/// <param name="Template">The template's name.</param>
/// <param name="Recipients">User ids (at most 1,000).</param>
public sealed record SendNotificationRequest(string Template, IReadOnlyList<string> Recipients)
{
    /// <summary>The idempotency key: a repeat with the same id and body returns the original deliveries.</summary>
    public string? EventId { get; init; }

    /// <summary>Channels to use; all the template defines when null.</summary>
    public IReadOnlyList<NotifyChannel>? Channels { get; init; }

    /// <summary>The template's variables (any JSON-serializable values).</summary>
    public IReadOnlyDictionary<string, object?>? Data { get; init; }

    /// <summary>Normal when null.</summary>
    public NotificationPriority? Priority { get; init; }
}

/// <summary>The answer to a send: one delivery per recipient and channel (and device for push).</summary>
/// <param name="EventId">The eventId, the caller's or the one the client made.</param>
/// <param name="Duplicate">True when this eventId was sent before: these are the original deliveries.</param>
/// <param name="Deliveries">One per recipient, channel and device.</param>
public sealed record SendNotificationResult(string EventId, bool Duplicate, IReadOnlyList<DeliverySummary> Deliveries);

/// <summary>One delivery as a send answers it.</summary>
/// <param name="Id">The delivery id, for <see cref="NotifyClient.GetNotificationAsync"/>.</param>
/// <param name="UserId">The recipient.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Queued, or skipped with a reason.</param>
/// <param name="Reason">Why it was skipped.</param>
/// <param name="Device">The device id, for push.</param>
public sealed record DeliverySummary(string Id, string UserId, NotifyChannel Channel, DeliveryStatus Status, string? Reason, string? Device);

/// <summary>One delivery with its history.</summary>
/// <param name="Id">The delivery id.</param>
/// <param name="EventId">The send's eventId.</param>
/// <param name="UserId">The recipient.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Device">The device id, for push.</param>
/// <param name="Platform">The device's platform, for push.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Reason">Why it was skipped or failed.</param>
/// <param name="Attempts">Provider calls so far.</param>
/// <param name="CreatedAt">When it was logged.</param>
/// <param name="UpdatedAt">Its last change.</param>
/// <param name="NextAttemptAt">When a retry is due.</param>
/// <param name="LastError">The last provider error.</param>
/// <param name="ProviderMessageId">The provider's id for the message.</param>
/// <param name="History">Every status it went through.</param>
/// <param name="Provider">The provider of its last attempt (which sent it, once sent): after a failover, not the first one.</param>
/// <param name="NotBefore">A scheduled delivery is not sent before this.</param>
/// <param name="DigestDeliveryId">The digest delivery this one was folded into.</param>
/// <param name="Template">The template it was sent with.</param>
/// <param name="TemplateVersion">The template's version it was sent with.</param>
/// <param name="App">The app that sent it.</param>
public sealed record Delivery(
    string Id,
    string EventId,
    string UserId,
    NotifyChannel Channel,
    string? Device,
    DevicePlatform? Platform,
    DeliveryStatus Status,
    string? Reason,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    string? ProviderMessageId,
    IReadOnlyList<DeliveryHistoryEntry> History,
    string? Provider = null,
    DateTimeOffset? NotBefore = null,
    string? DigestDeliveryId = null,
    string? Template = null,
    string? TemplateVersion = null,
    string? App = null);

/// <summary>One step of a delivery's history.</summary>
/// <param name="Status">The status it entered.</param>
/// <param name="Attempt">The attempt number then.</param>
/// <param name="At">When.</param>
/// <param name="Detail">What happened.</param>
/// <param name="Provider">The provider of that attempt's outcome (a delivery that failed over shows each).</param>
public sealed record DeliveryHistoryEntry(DeliveryStatus Status, int Attempt, DateTimeOffset At, string? Detail, string? Provider = null);

/// <summary>The answer of <c>GET /api/v1/notifications?eventId=</c>: one page of an event's deliveries.</summary>
internal sealed record DeliveryList(string? EventId, IReadOnlyList<Delivery> Deliveries, string? ContinuationToken = null);

/// <summary>An engagement or outcome the app reports for a delivery (e.g. a conversion).</summary>
/// <param name="Type">The event type, such as <c>converted</c>.</param>
public sealed record AppEvent(string Type)
{
    /// <summary>The delivery, when known.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>Or the send's eventId with <see cref="UserId"/> and <see cref="Channel"/>.</summary>
    public string? EventId { get; init; }

    /// <summary>The recipient, with <see cref="EventId"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>The channel, with <see cref="EventId"/>.</summary>
    public NotifyChannel? Channel { get; init; }

    /// <summary>When it happened; now when null.</summary>
    public DateTimeOffset? At { get; init; }
}

/// <summary>What an app event did to its delivery.</summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="Type">The event type.</param>
/// <param name="Duplicate">True when this event was reported before.</param>
/// <param name="Status">The delivery's status now.</param>
public sealed record AppEventResult(string DeliveryId, string Type, bool Duplicate, DeliveryStatus Status);
