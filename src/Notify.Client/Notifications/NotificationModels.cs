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

    /// <summary>When the deliveries go out (<see cref="NotifySendAt.At"/> or <see cref="NotifySendAt.Local"/>); at once when null.</summary>
    public NotifySendAt? SendAt { get; init; }

    /// <summary>Gathers this send with others of the same key into one message per user and channel; null: sent alone.</summary>
    public NotificationDigest? Digest { get; init; }

    /// <summary>With <c>inbox</c> among the channels: channels sent after a while unless the inbox item is read first; null: none.</summary>
    public NotificationFallback? Fallback { get; init; }
}

/// <summary>"If unread, then": the fallback channels go out after <paramref name="After"/> unless the inbox item is read.</summary>
/// <param name="After">An ISO 8601 duration from <c>PT1M</c> to <c>P7D</c>, e.g. <c>PT1H</c>.</param>
/// <param name="Channels">Push, e-mail or SMS; none the request already sends on.</param>
public sealed record NotificationFallback(string After, IReadOnlyList<NotifyChannel> Channels);

/// <summary>
/// A send time: one instant for everyone, or a wall-clock time in each recipient's time zone (else
/// <c>fallbackTimeZone</c>). Written as the service reads it: an ISO 8601 string, or <c>{"local", "fallbackTimeZone"}</c>.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(NotifySendAtConverter))]
public sealed record NotifySendAt
{
    private NotifySendAt()
    {
    }

    /// <summary>The instant, for <see cref="At"/>.</summary>
    public DateTimeOffset? Instant { get; private init; }

    /// <summary>The wall-clock time (<c>yyyy-MM-ddTHH:mm</c>), for <see cref="Local"/>.</summary>
    public string? LocalTime { get; private init; }

    /// <summary>The IANA zone for recipients without one, for <see cref="Local"/>.</summary>
    public string? FallbackTimeZone { get; private init; }

    /// <summary>The same instant for every recipient.</summary>
    /// <param name="instant">When; at most the service's horizon (90 days by default) ahead.</param>
    public static NotifySendAt At(DateTimeOffset instant) => new() { Instant = instant };

    /// <summary>A wall-clock time in each recipient's time zone, else in <paramref name="fallbackTimeZone"/>.</summary>
    /// <param name="wallClock">The local date and time (its kind is ignored).</param>
    /// <param name="fallbackTimeZone">An IANA zone, such as <c>Europe/Berlin</c>.</param>
    public static NotifySendAt Local(DateTime wallClock, string fallbackTimeZone) => new()
    {
        LocalTime = wallClock.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture),
        FallbackTimeZone = fallbackTimeZone,
    };
}

internal sealed class NotifySendAtConverter : System.Text.Json.Serialization.JsonConverter<NotifySendAt>
{
    public override NotifySendAt Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        throw new NotSupportedException("The service never answers with a send time.");

    public override void Write(System.Text.Json.Utf8JsonWriter writer, NotifySendAt value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value.Instant is { } instant)
        {
            writer.WriteStringValue(instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("local", value.LocalTime);
        writer.WriteString("fallbackTimeZone", value.FallbackTimeZone);
        writer.WriteEndObject();
    }
}

/// <summary>The answer to a cancel: how many this call cancelled, and every delivery it looked at.</summary>
/// <param name="EventId">The event, when cancelled by eventId.</param>
/// <param name="Cancelled">Deliveries this call cancelled.</param>
/// <param name="Deliveries">Each delivery with its status now.</param>
public sealed record CancelResult(string? EventId, int Cancelled, IReadOnlyList<CancelledDelivery> Deliveries);

/// <summary>One delivery after a cancel.</summary>
/// <param name="Id">The delivery id.</param>
/// <param name="UserId">The recipient.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Its status now (<c>cancelled</c>, or what it had when it could not be: sent, sending...).</param>
/// <param name="Cancelled">True when this call cancelled it.</param>
public sealed record CancelledDelivery(string Id, string UserId, NotifyChannel Channel, DeliveryStatus Status, bool Cancelled);

/// <summary>A digest: sends with the same key for a user and channel within the window go out as one message.</summary>
/// <param name="Key">1-128 characters, e.g. <c>comments:post-42</c>.</param>
/// <param name="Window">An ISO 8601 duration from <c>PT1M</c> to <c>P1D</c>, e.g. <c>PT1H</c>.</param>
public sealed record NotificationDigest(string Key, string Window);

/// <summary>The answer to a send: one delivery per recipient and channel (and device for push).</summary>
/// <param name="EventId">The eventId, the caller's or the one the client made.</param>
/// <param name="Duplicate">True when this eventId was sent before: these are the original deliveries.</param>
/// <param name="Deliveries">One per recipient, channel and device (empty for a broadcast to a topic).</param>
/// <param name="BroadcastId">For a send to a topic: the broadcast that plans its deliveries in the background.</param>
public sealed record SendNotificationResult(string EventId, bool Duplicate, IReadOnlyList<DeliverySummary> Deliveries, string? BroadcastId = null);

/// <summary>One delivery as a send answers it.</summary>
/// <param name="Id">The delivery id, for <see cref="NotifyClient.GetNotificationAsync"/>.</param>
/// <param name="UserId">The recipient.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Queued, or skipped with a reason.</param>
/// <param name="Reason">Why it was skipped.</param>
/// <param name="Device">The device id, for push.</param>
/// <param name="NotBefore">While scheduled: when it may go.</param>
/// <param name="DigestDeliveryId">When digested: the delivery that carries it.</param>
/// <param name="Category">When a category preference decided a skip: that category.</param>
public sealed record DeliverySummary(string Id, string UserId, NotifyChannel Channel, DeliveryStatus Status, string? Reason, string? Device, DateTimeOffset? NotBefore = null, string? DigestDeliveryId = null, string? Category = null);

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
/// <param name="Category">When a category preference decided a skip: that category.</param>
/// <param name="Events">
/// What was reported after it was sent (receipts, opens, clicks, conversions), oldest first: only on
/// <see cref="NotifyClient.GetNotificationAsync"/>, null on the deliveries of a list.
/// </param>
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
    string? App = null,
    IReadOnlyList<DeliveryEvent>? Events = null,
    string? Category = null);

/// <summary>Something reported about a delivery after it was sent.</summary>
/// <param name="Type">
/// <c>delivered</c>, <c>bounced</c>, <c>opened</c>, <c>clicked</c>, <c>converted</c>, <c>spam-report</c> or
/// <c>unsubscribed</c> (a string, so a type added later reads too).
/// </param>
/// <param name="At">When it happened (as the reporter said, never later than when it was recorded).</param>
/// <param name="Source">Who reported it: the provider (<c>sendgrid</c>, <c>twilio</c>...), <c>pixel</c>, <c>link</c> or <c>app</c>.</param>
/// <param name="Detail">What the reporter said (a bounce reason, the clicked link without its query), or the event that implied this one.</param>
public sealed record DeliveryEvent(string Type, DateTimeOffset At, string Source, string? Detail);

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
