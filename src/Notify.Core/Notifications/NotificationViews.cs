using System.Text.Json.Serialization;

namespace Notify.Core.Notifications;

/// <summary>One delivery in the answer to a POST: its id and what became of it at ingest.</summary>
public sealed record DeliverySummary(
    string Id,
    string UserId,
    Channel Channel,
    DeliveryStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Device,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NotBefore = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DigestDeliveryId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null)
{
    public static DeliverySummary From(DeliveryRecord record) =>
        new(record.Key.Id, record.UserId, record.Channel, record.Status, record.Reason, record.DeviceId,
            record.Status == DeliveryStatus.Scheduled ? record.NotBefore : null, record.DigestDeliveryId, record.Category);
}

/// <summary>The answer to <c>POST /api/v1/notifications</c> (202 new, 200 duplicate).</summary>
public sealed record IngestResponse(string EventId, bool Duplicate, IReadOnlyList<DeliverySummary> Deliveries)
{
    /// <summary>A broadcast's id (<c>GET /api/v1/broadcasts/{id}</c>); its deliveries are planned in the background, so none are listed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BroadcastId { get; init; }
}

public sealed record HistoryView(
    DeliveryStatus Status,
    int Attempt,
    DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Provider = null);

/// <summary>
/// What was reported about a delivery after it left: a provider's receipt (<c>delivered</c>, <c>bounced</c>,
/// <c>spam-report</c>, <c>unsubscribed</c>), an open or click (pixel, link, or the app), a conversion. <c>Source</c> says who
/// reported it (<c>sendgrid</c>, <c>twilio</c>, <c>pixel</c>, <c>link</c>, <c>app</c>); <c>Detail</c> what they said, or which
/// event implied this one.
/// </summary>
public sealed record DeliveryEventView(
    string Type,
    DateTimeOffset At,
    string Source,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail);

/// <summary>
/// The answer to <c>GET /api/v1/notifications/{id}</c> (with <c>events</c>), and an item of the lists (without: a list
/// does not read each delivery's events).
/// </summary>
public sealed record DeliveryView(
    string Id,
    string EventId,
    string UserId,
    Channel Channel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Device,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DevicePlatform? Platform,
    DeliveryStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextAttemptAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProviderMessageId,
    IReadOnlyList<HistoryView> History,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Provider = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NotBefore = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DigestDeliveryId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Template = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TemplateVersion = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? App = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DeliveryEventView>? Events = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null)
{
    public static DeliveryView From(DeliveryRecord r) => new(
        r.Key.Id, r.EventId, r.UserId, r.Channel, r.DeviceId, r.Platform, r.Status, r.Reason, r.Attempts,
        r.CreatedAt, r.UpdatedAt, r.Status == DeliveryStatus.Retrying ? r.NextAttemptAt : null, r.LastError, r.ProviderMessageId,
        [.. r.History.Select(h => new HistoryView(h.Status, h.Attempt, h.At, h.Detail, h.Provider))],
        r.Provider, r.Status == DeliveryStatus.Scheduled ? r.NotBefore : null, r.DigestDeliveryId, Category: r.Category);
}

/// <summary>
/// The answer to <c>GET /api/v1/notifications</c>: the deliveries of one event (with its <c>eventId</c>), or a page of
/// the Activity list (newest first, with a <c>continuationToken</c> while there may be more).
/// </summary>
public sealed record DeliveryListView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventId,
    IReadOnlyList<DeliveryView> Deliveries,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContinuationToken = null);
