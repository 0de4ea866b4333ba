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

    public static readonly NotifyOperation CreateWebhookEndpoint = new(
        "CreateWebhookEndpoint", "POST", "/api/v1/webhooks/endpoints", [], typeof(WebhookEndpointDefinition), typeof(WebhookEndpoint), RetryMode.None);

    public static readonly NotifyOperation ListWebhookEndpoints = new(
        "ListWebhookEndpoints", "GET", "/api/v1/webhooks/endpoints", ["app"], null, typeof(WebhookEndpointList), RetryMode.Idempotent);

    public static readonly NotifyOperation GetWebhookEndpoint = new(
        "GetWebhookEndpoint", "GET", "/api/v1/webhooks/endpoints/{id}", [], null, typeof(WebhookEndpoint), RetryMode.Idempotent);

    public static readonly NotifyOperation PutWebhookEndpoint = new(
        "PutWebhookEndpoint", "PUT", "/api/v1/webhooks/endpoints/{id}", [], typeof(WebhookEndpointDefinition), typeof(WebhookEndpoint), RetryMode.Idempotent);

    public static readonly NotifyOperation DeleteWebhookEndpoint = new(
        "DeleteWebhookEndpoint", "DELETE", "/api/v1/webhooks/endpoints/{id}", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation RotateWebhookSecret = new(
        "RotateWebhookSecret", "POST", "/api/v1/webhooks/endpoints/{id}/secret/rotate", [], null, typeof(WebhookEndpoint), RetryMode.None);

    public static readonly NotifyOperation TestWebhookEndpoint = new(
        "TestWebhookEndpoint", "POST", "/api/v1/webhooks/endpoints/{id}/test", [], null, typeof(WebhookReplayResult), RetryMode.None);

    public static readonly NotifyOperation ListWebhookAttempts = new(
        "ListWebhookAttempts", "GET", "/api/v1/webhooks/endpoints/{id}/attempts", ["limit"], null, typeof(WebhookAttemptList), RetryMode.Idempotent);

    public static readonly NotifyOperation ReplayWebhookEvents = new(
        "ReplayWebhookEvents", "POST", "/api/v1/webhooks/endpoints/{id}/replay", [], typeof(WebhookReplayRequest), typeof(WebhookReplayResult), RetryMode.None);

    public static readonly NotifyOperation PreviewTemplate = new(
        "PreviewTemplate", "POST", "/api/v1/templates/{name}/preview", [], typeof(TemplatePreviewRequest), typeof(TemplatePreview), RetryMode.Idempotent);

    public static readonly NotifyOperation PutCategory = new(
        "PutCategory", "PUT", "/api/v1/categories/{key}", [], typeof(CategoryDefinition), typeof(NotifyCategory), RetryMode.Idempotent);

    public static readonly NotifyOperation GetCategory = new(
        "GetCategory", "GET", "/api/v1/categories/{key}", [], null, typeof(NotifyCategory), RetryMode.Idempotent);

    public static readonly NotifyOperation ListCategories = new(
        "ListCategories", "GET", "/api/v1/categories", [], null, typeof(CategoryList), RetryMode.Idempotent);

    public static readonly NotifyOperation DeleteCategory = new(
        "DeleteCategory", "DELETE", "/api/v1/categories/{key}", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation PutTopic = new(
        "PutTopic", "PUT", "/api/v1/topics/{key}", [], typeof(TopicDefinition), typeof(NotifyTopic), RetryMode.Idempotent);

    public static readonly NotifyOperation GetTopic = new(
        "GetTopic", "GET", "/api/v1/topics/{key}", [], null, typeof(NotifyTopic), RetryMode.Idempotent);

    public static readonly NotifyOperation ListTopics = new(
        "ListTopics", "GET", "/api/v1/topics", [], null, typeof(TopicList), RetryMode.Idempotent);

    public static readonly NotifyOperation DeleteTopic = new(
        "DeleteTopic", "DELETE", "/api/v1/topics/{key}", [], null, null, RetryMode.Idempotent);

    public static readonly NotifyOperation AddTopicSubscribers = new(
        "AddTopicSubscribers", "POST", "/api/v1/topics/{key}/subscribers", [], typeof(TopicSubscribersRequest), typeof(SubscriptionResult), RetryMode.Idempotent);

    public static readonly NotifyOperation RemoveTopicSubscribers = new(
        "RemoveTopicSubscribers", "DELETE", "/api/v1/topics/{key}/subscribers", [], typeof(TopicSubscribersRequest), typeof(SubscriptionResult), RetryMode.Idempotent);

    public static readonly NotifyOperation ListTopicSubscribers = new(
        "ListTopicSubscribers", "GET", "/api/v1/topics/{key}/subscribers", ["pageSize", "continuationToken"], null, typeof(SubscriberPage), RetryMode.Idempotent);

    public static readonly NotifyOperation ListUserTopics = new(
        "ListUserTopics", "GET", "/api/v1/users/{userId}/topics", [], null, typeof(UserTopics), RetryMode.Idempotent);

    public static readonly NotifyOperation GetBroadcast = new(
        "GetBroadcast", "GET", "/api/v1/broadcasts/{id}", [], null, typeof(NotifyBroadcast), RetryMode.Idempotent);

    public static readonly NotifyOperation ListBroadcasts = new(
        "ListBroadcasts", "GET", "/api/v1/broadcasts", [], null, typeof(BroadcastList), RetryMode.Idempotent);

    public static readonly NotifyOperation CancelBroadcast = new(
        "CancelBroadcast", "DELETE", "/api/v1/broadcasts/{id}", [], null, typeof(NotifyBroadcast), RetryMode.Idempotent);

    public static readonly NotifyOperation IssueInboxToken = new(
        "IssueInboxToken", "POST", "/api/v1/inbox/tokens", [], typeof(InboxTokenRequest), typeof(InboxToken), RetryMode.Idempotent);

    public static readonly NotifyOperation GetUserInbox = new(
        "GetUserInbox", "GET", "/api/v1/users/{userId}/inbox", ["filter", "archived", "limit", "cursor"], null, typeof(InboxPage), RetryMode.Idempotent);

    public static IReadOnlyList<NotifyOperation> All { get; } =
    [
        SendNotification, GetNotification, ListNotifications, CancelNotification, CancelEvent, PostEvent,
        PutUser, GetUser, ImportUsers, PutDevice, DeleteDevice, EraseUser, ExportUser, GetPreferences, PutPreferences,
        PutTemplate, GetTemplate, DeleteTemplate, PreviewTemplate,
        CreateWebhookEndpoint, ListWebhookEndpoints, GetWebhookEndpoint, PutWebhookEndpoint, DeleteWebhookEndpoint,
        RotateWebhookSecret, TestWebhookEndpoint, ListWebhookAttempts, ReplayWebhookEvents,
        PutCategory, GetCategory, ListCategories, DeleteCategory,
        PutTopic, GetTopic, ListTopics, DeleteTopic, AddTopicSubscribers, RemoveTopicSubscribers, ListTopicSubscribers, ListUserTopics,
        GetBroadcast, ListBroadcasts, CancelBroadcast,
        IssueInboxToken, GetUserInbox,
    ];
}
