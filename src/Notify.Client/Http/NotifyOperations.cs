namespace Notify.Client.Http;

/// <summary>Every API operation the client calls, one place for the contract test to read.</summary>
internal static class NotifyOperations
{
    public static readonly NotifyOperation SendNotification = new(
        "SendNotification", "POST", "/api/v1/notifications", [], typeof(SendNotificationRequest), typeof(SendNotificationResult), RetryMode.IdempotentByEventId);

    public static readonly NotifyOperation GetNotification = new(
        "GetNotification", "GET", "/api/v1/notifications/{id}", [], null, typeof(Delivery), RetryMode.Idempotent);

    public static readonly NotifyOperation ListNotifications = new(
        "ListNotifications", "GET", "/api/v1/notifications", ["eventId", "userId", "status", "template", "channel", "app", "from", "to", "limit", "continuationToken"], null, typeof(DeliveryList), RetryMode.Idempotent);

    public static readonly NotifyOperation CancelNotification = new(
        "CancelNotification", "DELETE", "/api/v1/notifications/{id}", [], null, typeof(CancelResult), RetryMode.Idempotent);

    public static readonly NotifyOperation CancelEvent = new(
        "CancelEvent", "DELETE", "/api/v1/notifications", ["eventId", "appKey"], null, typeof(CancelResult), RetryMode.Idempotent);

    public static readonly NotifyOperation PostEvent = new(
        "PostEvent", "POST", "/api/v1/events", [], typeof(AppEvent), typeof(AppEventResult), RetryMode.IdempotentByEventId);

    public static readonly NotifyOperation PutUser = new(
        "PutUser", "PUT", "/api/v1/users/{userId}", [], typeof(UserProfile), typeof(NotifyUser), RetryMode.Idempotent);

    public static readonly NotifyOperation GetUser = new(
        "GetUser", "GET", "/api/v1/users/{userId}", ["masked"], null, typeof(NotifyUser), RetryMode.Idempotent);

    public static readonly NotifyOperation ImportUsers = new(
        "ImportUsers", "POST", "/api/v1/users/batch", [], typeof(UserBatchRequest), typeof(UserImportResult), RetryMode.Idempotent);

    public static readonly NotifyOperation PutDevice = new(
        "PutDevice", "PUT", "/api/v1/users/{userId}/devices/{token}", [], typeof(DeviceRegistration), typeof(NotifyDevice), RetryMode.Idempotent);

    public static readonly NotifyOperation DeleteDevice = new(
        "DeleteDevice", "DELETE", "/api/v1/users/{userId}/devices/{token}", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation EraseUser = new(
        "EraseUser", "DELETE", "/api/v1/users/{userId}", ["erase"], null, typeof(UserErasureResult), RetryMode.Idempotent);

    public static readonly NotifyOperation ExportUser = new(
        "ExportUser", "GET", "/api/v1/users/{userId}/export", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation GetPreferences = new(
        "GetPreferences", "GET", "/api/v1/users/{userId}/preferences", [], null, typeof(NotifyPreferences), RetryMode.Idempotent);

    public static readonly NotifyOperation PutPreferences = new(
        "PutPreferences", "PUT", "/api/v1/users/{userId}/preferences", [], typeof(PreferencesUpdate), typeof(NotifyPreferences), RetryMode.Idempotent);

    public static readonly NotifyOperation PutTemplate = new(
        "PutTemplate", "PUT", "/api/v1/templates/{name}", [], typeof(TemplateDefinition), typeof(NotifyTemplate), RetryMode.Idempotent);

    public static readonly NotifyOperation DeleteTemplate = new(
        "DeleteTemplate", "DELETE", "/api/v1/templates/{name}", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation GetTemplate = new(
        "GetTemplate", "GET", "/api/v1/templates/{name}", [], null, typeof(NotifyTemplate), RetryMode.Idempotent);

    public static readonly NotifyOperation PreviewTemplate = new(
        "PreviewTemplate", "POST", "/api/v1/templates/{name}/preview", [], typeof(TemplatePreviewRequest), typeof(TemplatePreview), RetryMode.Idempotent);

    public static readonly NotifyOperation IssueInboxToken = new(
        "IssueInboxToken", "POST", "/api/v1/inbox/tokens", [], typeof(InboxTokenRequest), typeof(InboxToken), RetryMode.Idempotent);

    public static readonly NotifyOperation GetUserInbox = new(
        "GetUserInbox", "GET", "/api/v1/users/{userId}/inbox", ["filter", "archived", "limit", "cursor"], null, typeof(InboxPage), RetryMode.Idempotent);

    public static IReadOnlyList<NotifyOperation> All { get; } =
    [
        SendNotification, GetNotification, ListNotifications, CancelNotification, CancelEvent, PostEvent,
        PutUser, GetUser, ImportUsers, PutDevice, DeleteDevice, EraseUser, ExportUser, GetPreferences, PutPreferences,
        PutTemplate, GetTemplate, DeleteTemplate, PreviewTemplate, IssueInboxToken, GetUserInbox,
    ];
}
