namespace Notify.Client;

/// <summary>Builds the client's answer models with defaults for every field a test does not care about.</summary>
public static class NotifyModelFactory
{
    /// <summary>A send's answer.</summary>
    public static SendNotificationResult SendNotificationResult(string eventId = "event-1", bool duplicate = false, IReadOnlyList<DeliverySummary>? deliveries = null) =>
        new(eventId, duplicate, deliveries ?? []);

    /// <summary>One delivery of a send's answer.</summary>
    public static DeliverySummary DeliverySummary(string id = "delivery-1", string userId = "user-1", NotifyChannel channel = NotifyChannel.Email, DeliveryStatus status = DeliveryStatus.Queued, string? reason = null, string? device = null) =>
        new(id, userId, channel, status, reason, device);

    /// <summary>A delivery with its history.</summary>
    public static Delivery Delivery(
        string id = "delivery-1", string eventId = "event-1", string userId = "user-1", NotifyChannel channel = NotifyChannel.Email,
        DeliveryStatus status = DeliveryStatus.Queued, int attempts = 0, DateTimeOffset? createdAt = null, DateTimeOffset? updatedAt = null,
        string? device = null, DevicePlatform? platform = null, string? reason = null, DateTimeOffset? nextAttemptAt = null,
        string? lastError = null, string? providerMessageId = null, IReadOnlyList<DeliveryHistoryEntry>? history = null, string? provider = null) =>
        new(id, eventId, userId, channel, device, platform, status, reason, attempts, createdAt ?? DateTimeOffset.UnixEpoch,
            updatedAt ?? createdAt ?? DateTimeOffset.UnixEpoch, nextAttemptAt, lastError, providerMessageId, history ?? [], provider);

    /// <summary>A delivery with the events reported after it was sent, as <see cref="NotifyClient.GetNotificationAsync"/> answers.</summary>
    public static Delivery Delivery(IReadOnlyList<DeliveryEvent> events, string id = "delivery-1", DeliveryStatus status = DeliveryStatus.Opened) =>
        Delivery(id: id, status: status) with { Events = events };

    /// <summary>One event reported about a delivery.</summary>
    public static DeliveryEvent DeliveryEvent(string type = "opened", DateTimeOffset? at = null, string source = "app", string? detail = null) =>
        new(type, at ?? DateTimeOffset.UnixEpoch, source, detail);

    /// <summary>A user.</summary>
    public static NotifyUser NotifyUser(string userId = "user-1", string? email = null, string? phone = null, string? locale = null, string? timeZone = null, DateTimeOffset? updatedAt = null, IReadOnlyList<NotifyDevice>? devices = null, string? updatedBy = null) =>
        new(userId, email, phone, locale, timeZone, updatedAt ?? DateTimeOffset.UnixEpoch, devices ?? [], updatedBy);

    /// <summary>A registered device.</summary>
    public static NotifyDevice NotifyDevice(string id = "device-1", DevicePlatform platform = DevicePlatform.Fcm, DateTimeOffset? registeredAt = null) =>
        new(id, platform, registeredAt ?? DateTimeOffset.UnixEpoch);

    /// <summary>Effective preferences (all opted in by default).</summary>
    public static NotifyPreferences NotifyPreferences(bool push = true, bool email = true, bool sms = true) => new(push, email, sms);

    /// <summary>A bulk import's answer; the totals are counted from <paramref name="users"/>.</summary>
    public static UserImportResult UserImportResult(IReadOnlyList<UserImportEntryResult>? users = null, bool dryRun = false)
    {
        users ??= [];
        return new(dryRun, users.Count(u => u.Outcome == UserImportOutcome.Created), users.Count(u => u.Outcome == UserImportOutcome.Updated), users.Count(u => u.Outcome == UserImportOutcome.Invalid), users);
    }

    /// <summary>One entry of a bulk import's answer.</summary>
    public static UserImportEntryResult UserImportEntryResult(int index = 0, string? userId = "user-1", UserImportOutcome outcome = UserImportOutcome.Created, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new(index, userId, outcome, errors);

    /// <summary>A stored template.</summary>
    public static NotifyTemplate NotifyTemplate(string name = "welcome", string version = "1", DateTimeOffset? updatedAt = null, TemplateDefinition? definition = null) =>
        new(name, version, updatedAt ?? DateTimeOffset.UnixEpoch, definition ?? new TemplateDefinition("en", new TemplateChannels(Sms: new SmsTemplate("Hello"))));

    /// <summary>A rendered preview.</summary>
    public static TemplatePreview TemplatePreview(string template = "welcome", string locale = "en", IReadOnlyDictionary<string, RenderedContent>? channels = null) =>
        new(template, locale, channels ?? new Dictionary<string, RenderedContent>());

    /// <summary>What an app event did.</summary>
    public static AppEventResult AppEventResult(string deliveryId = "delivery-1", string type = "converted", bool duplicate = false, DeliveryStatus status = DeliveryStatus.Converted) =>
        new(deliveryId, type, duplicate, status);

    /// <summary>A service error, as the client throws it.</summary>
    public static NotifyRequestException NotifyRequestException(int status = 400, string? errorCode = null, string? title = null, string? detail = null, IReadOnlyDictionary<string, string[]>? errors = null, TimeSpan? retryAfter = null) =>
        new(status, errorCode, title, detail, errors, retryAfter);
}
